// Rules that depend on the date read it from an injected Clock, so tests can stand on any date.
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  override now(): Date {
    return new Date();
  }
}
