// The checks of ejson.js's parse(), shared by test/ejson.test.js (Node)
// and test/browser/ejson.test.js (the same module in headless Chromium).
// run(ejson) returns a list of failures (empty when all pass), so that the
// browser page can hand them back as plain strings.

export function run(ejson) {
  const failures = [];
  const check = (what, got, want) => {
    const g = typeof got === 'bigint' ? `${got}n` : String(got);
    const w = typeof want === 'bigint' ? `${want}n` : String(want);
    if (typeof got !== typeof want || g !== w) failures.push(`${what}: got ${g} (${typeof got}), want ${w} (${typeof want})`);
  };
  const path = (what, text, exact) => {
    const before = ejson.exactParseCount();
    ejson.parse(text);
    const took = ejson.exactParseCount() - before === 1;
    if (took !== exact) failures.push(`${what}: took the ${took ? 'exact' : 'JSON.parse'} path, want the ${exact ? 'exact' : 'JSON.parse'} one`);
  };

  // Doubles with 16 or more digits: read as numbers, on JSON.parse.
  const doubles = [0.30000000000000004, 1.7976931348623157e308, -2.2250738585072014e-308, 123456789012345.67, 1e21, 5e-324];
  const dtext = JSON.stringify({ d: doubles, n: 0.30000000000000004 });
  const dv = ejson.parse(dtext);
  doubles.forEach((d, i) => check(`double ${d}`, dv.d[i], d));
  check('double 0.1+0.2', dv.n, 0.1 + 0.2);
  path('a text of long doubles', dtext, false);
  path('a long double in an exponent-free text', '[12345678901234567890.5, 1.2345678901234567e+25]', false);
  check('a 20-digit double', ejson.parse('[12345678901234567890.5]')[0], 12345678901234567890.5);

  // Integers within ±2^53 (even with 16 digits): numbers, on JSON.parse.
  check('2^53-1', ejson.parse('{"a":9007199254740991}').a, 9007199254740991);
  check('-(2^53-1)', ejson.parse('[-9007199254740991]')[0], -9007199254740991);
  check('16 digits, safe', ejson.parse('[1234567890123456]')[0], 1234567890123456);
  path('safe integers', '{"a":9007199254740991,"b":[-9007199254740991,1234567890123456]}', false);

  // Integers beyond ±2^53: exact bigints, on the exact parser.
  check('2^53', ejson.parse('{"a":9007199254740992}').a, 9007199254740992n);
  check('2^63-1', ejson.parse('{"a":9223372036854775807}').a, 2n ** 63n - 1n);
  check('-2^63', ejson.parse('[ -9223372036854775808 ]')[0], -(2n ** 63n));
  check('2^53+1 in an array', ejson.parse('[1,\n9007199254740993]')[1], 9007199254740993n);
  path('an integer beyond 2^53', '{"a":9007199254740993}', true);

  // Both kinds in one text: each value keeps its own kind.
  const mixed = ejson.parse('{"d":0.30000000000000004,"i":9007199254740993,"s":"12345678901234567890","x":[1.5e300,-9223372036854775808]}');
  check('mixed: the double', mixed.d, 0.30000000000000004);
  check('mixed: the integer', mixed.i, 9007199254740993n);
  check('mixed: the string of digits', mixed.s, '12345678901234567890');
  check('mixed: the large double', mixed.x[0], 1.5e300);
  check('mixed: -2^63', mixed.x[1], -(2n ** 63n));

  // Digits inside strings are strings on either path.
  check('digits in a string', ejson.parse('{"s":"0.30000000000000004 and 99999999999999999999"}').s, '0.30000000000000004 and 99999999999999999999');
  check('Extended JSON beside a double', ejson.parse('{"t":{"$date":"1970-01-01T00:00:00.000Z"},"d":0.30000000000000004}').t.getTime(), 0);
  return failures;
}
