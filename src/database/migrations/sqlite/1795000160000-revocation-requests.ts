import { MigrationInterface, QueryRunner } from 'typeorm';

export class RevocationRequests1795000160000 implements MigrationInterface {
  name = 'RevocationRequests1795000160000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "revocation_requests" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "certificate_id" integer NOT NULL, "open_certificate_id" integer, "nren_id" integer NOT NULL, "organisation_id" integer NOT NULL, "department_id" integer NOT NULL, "requester_id" integer NOT NULL, "requester_label" varchar(254) NOT NULL, "reason" varchar(32) NOT NULL, "explanation" varchar(2000) NOT NULL, "state" varchar(16) NOT NULL, "decided_by_id" integer, "decided_by_label" varchar(254), "decided_at" datetime, "refusal_reason" varchar(2000), "created_at" datetime NOT NULL DEFAULT (datetime('now')), "version" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_revocation_requests_open" ON "revocation_requests" ("open_certificate_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_revocation_requests_certificate" ON "revocation_requests" ("certificate_id", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_revocation_requests_state" ON "revocation_requests" ("state", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_revocation_requests_state"`);
    await queryRunner.query(`DROP INDEX "ix_revocation_requests_certificate"`);
    await queryRunner.query(`DROP INDEX "uq_revocation_requests_open"`);
    await queryRunner.query(`DROP TABLE "revocation_requests"`);
  }
}
