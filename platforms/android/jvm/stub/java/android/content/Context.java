package android.content;

/**
 * Stand-in for Android's android.content.Context, so that gobind's generated
 * go.Seq (whose setContext takes a Context) compiles and runs on a desktop
 * JVM. Only the desktop test harness (make test-jvm) uses it; an Android app
 * gets the real class from the platform.
 */
public abstract class Context {
}
