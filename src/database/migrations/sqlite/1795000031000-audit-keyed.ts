import { MigrationInterface, QueryRunner } from 'typeorm';

// Keyed audit hashes, and a table the database itself keeps append-only. A later migration
// that rebuilds audit_events (TypeORM's way of altering an SQLite table) must create these
// triggers again.
export class AuditKeyed1795000031000 implements MigrationInterface {
  name = 'AuditKeyed1795000031000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "audit_events"
            ADD COLUMN "keyed" boolean NOT NULL DEFAULT (0)
        `);
    await queryRunner.query(`
            CREATE TRIGGER "audit_events_no_update" BEFORE UPDATE ON "audit_events"
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
        `);
    await queryRunner.query(`
            CREATE TRIGGER "audit_events_no_delete" BEFORE DELETE ON "audit_events"
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TRIGGER "audit_events_no_delete"
        `);
    await queryRunner.query(`
            DROP TRIGGER "audit_events_no_update"
        `);
    await queryRunner.query(`
            ALTER TABLE "audit_events" DROP COLUMN "keyed"
        `);
  }
}
