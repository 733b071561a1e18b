import { Entity, PrimaryColumn } from 'typeorm';

// One row per registrable domain (example.ac.uk for www.cs.example.ac.uk), locked by every
// registration below it: names above and below each other are registered one at a time,
// so the rule that another organisation's domain, or a name above or below it, is refused
// holds across instances.
@Entity('domain_locks')
export class DomainLock {
  @PrimaryColumn({ type: 'varchar', length: 253 })
  name: string;
}
