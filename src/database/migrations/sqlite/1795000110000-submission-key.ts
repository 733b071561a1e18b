import { MigrationInterface, QueryRunner } from 'typeorm';

// One-time form keys on certificate requests: a second press of Submit finds the first.
// SQLite adds a nullable column in place; no table rebuild is needed.
export class SubmissionKey1795000110000 implements MigrationInterface {
  name = 'SubmissionKey1795000110000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "certificate_requests" ADD COLUMN "submission_key" varchar(64)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_requests_submission_key" ON "certificate_requests" ("submission_key")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_requests_submission_key"`);
    await queryRunner.query(`ALTER TABLE "certificate_requests" DROP COLUMN "submission_key"`);
  }
}
