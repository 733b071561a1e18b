import { passwordProblems } from './password-policy.js';

describe('password policy', () => {
  it.each([
    ['short', 'password_too_short'],
    ['elevenchars', 'password_too_short'],
    ['x'.repeat(257), 'password_too_long'],
    ['password1234', 'password_too_common'],
    ['Password!!!!', 'password_too_common'],
    ['aaaaaaaaaaaaaaa', 'password_too_common'],
    ['abcdefghijklmnop', 'password_too_common'],
    ['jane.doe-is-great', 'password_contains_email'],
  ])('refuses %s with %s', (password, problem) => {
    expect(passwordProblems(password, 'jane.doe@example.org')).toEqual([problem]);
  });

  it.each(['correct-horse-battery-9', 'tuin kabouter fiets', 'Zyx!8302-lamp'])(
    'accepts %s',
    (password) => {
      expect(passwordProblems(password, 'jane.doe@example.org')).toEqual([]);
    },
  );
});
