/* A stand-in for Apple's Foundation, only as much as gobind's generated
 * Objective-C header (Tether.objc.h, ref.h, Universe.objc.h) and check.m
 * name, so that clang can syntax-check them on Linux (make -C
 * platforms/ios compile-check). Never used for a real build: Xcode's SDK has
 * the real one. */
#ifndef TETHER_STUB_FOUNDATION_H
#define TETHER_STUB_FOUNDATION_H
#include <stdint.h>
typedef signed char BOOL;
#define YES ((BOOL)1)
#define NO ((BOOL)0)
#define FOUNDATION_EXPORT extern
#define nil ((id)0)
typedef long NSInteger;
@class NSString;
@protocol NSObject
- (BOOL)isEqual:(id)object;
@end
@interface NSObject <NSObject>
+ (instancetype)alloc;
- (instancetype)init;
@end
@interface NSString : NSObject
@end
@interface NSData : NSObject
@end
@interface NSError : NSObject
@property(readonly, copy) NSString *localizedDescription;
@property(readonly) NSInteger code;
@end
#endif
