// MySQL DATETIME keeps whole seconds (MySQL rounds, MariaDB truncates): store what a reload
// gives back, so a row queued "now" is never due a second in the future.
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
