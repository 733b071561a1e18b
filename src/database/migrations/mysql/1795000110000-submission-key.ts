import { MigrationInterface, QueryRunner } from 'typeorm';

// One-time form keys on certificate requests: a second press of Submit finds the first.
export class SubmissionKey1795000110000 implements MigrationInterface {
  name = 'SubmissionKey1795000110000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`certificate_requests\` ADD \`submission_key\` varchar(64) NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX \`uq_requests_submission_key\` ON \`certificate_requests\` (\`submission_key\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP INDEX \`uq_requests_submission_key\` ON \`certificate_requests\``,
    );
    await queryRunner.query(`ALTER TABLE \`certificate_requests\` DROP COLUMN \`submission_key\``);
  }
}
