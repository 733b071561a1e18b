import { MigrationInterface, QueryRunner } from 'typeorm';

// Keyed audit hashes, and a table the database itself keeps append-only.
export class AuditKeyed1795000031000 implements MigrationInterface {
  name = 'AuditKeyed1795000031000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`audit_events\`
            ADD \`keyed\` tinyint NOT NULL DEFAULT 0
        `);
    await queryRunner.query(`
            CREATE TRIGGER \`audit_events_no_update\` BEFORE UPDATE ON \`audit_events\`
            FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_events is append-only'
        `);
    await queryRunner.query(`
            CREATE TRIGGER \`audit_events_no_delete\` BEFORE DELETE ON \`audit_events\`
            FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_events is append-only'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TRIGGER \`audit_events_no_delete\`
        `);
    await queryRunner.query(`
            DROP TRIGGER \`audit_events_no_update\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`audit_events\` DROP COLUMN \`keyed\`
        `);
  }
}
