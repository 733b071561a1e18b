import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// An approver away for a period names someone to decide in their place (holidays).
@Entity('substitutions')
@Index('ix_substitutions_substitute', ['substituteId', 'endsAt'])
@Index('ix_substitutions_absent', ['absentId', 'endsAt'])
export class Substitution {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'absent_id', type: 'int' })
  absentId: number;

  @Column({ name: 'substitute_id', type: 'int' })
  substituteId: number;

  @Column({ name: 'starts_at', type: 'datetime' })
  startsAt: Date;

  @Column({ name: 'ends_at', type: 'datetime' })
  endsAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
