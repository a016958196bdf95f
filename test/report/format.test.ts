/** The dossier's number formats (src/report/format.ts). */
import { fmtInterval, fmtLimit } from '../../src/report/format.js';

test('a confidence limit too small for its decimals keeps two significant digits', () => {
  // issue 17: a true lower limit of 0.0011 was printed "0.00 to 0.27"
  expect(fmtInterval(0.0011, 0.27)).toBe('0.0011 to 0.27');
  expect(fmtInterval(0.0011, 0.27, 1)).toBe('0.0011 to 0.3');
  expect(fmtLimit(-0.00042)).toBe('-0.00042');
  expect(fmtLimit(2.5e-9)).toBe('2.5e-9');
});

test('ordinary limits, zero and missing ones are as before', () => {
  expect(fmtInterval(0.59, 0.88)).toBe('0.59 to 0.88');
  expect(fmtInterval(0.01, 1.2)).toBe('0.01 to 1.20');
  expect(fmtInterval(0, 3)).toBe('0.00 to 3.00');
  expect(fmtInterval(8.1, Infinity, 1)).toBe('8.1 to not reached');
  expect(fmtInterval(null, null)).toBe('— to not reached');
});
