import { MigrationInterface, QueryRunner } from 'typeorm';

// Columns are added in place: rebuilding departments and products would trip the foreign
// keys that point at them.
export class Approvals1795000090000 implements MigrationInterface {
  name = 'Approvals1795000090000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "request_approvals" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "request_id" integer NOT NULL, "person_id" integer NOT NULL, "person_label" varchar(254) NOT NULL, "on_behalf_of_id" integer, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_request_approvals_person" ON "request_approvals" ("request_id", "person_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "substitutions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "absent_id" integer NOT NULL, "substitute_id" integer NOT NULL, "starts_at" datetime NOT NULL, "ends_at" datetime NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_substitutions_absent" ON "substitutions" ("absent_id", "ends_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_substitutions_substitute" ON "substitutions" ("substitute_id", "ends_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "organisations" ADD COLUMN "self_approval_allowed" boolean NOT NULL DEFAULT (0)`,
    );
    await queryRunner.query(
      `ALTER TABLE "departments" ADD COLUMN "auto_approve" boolean NOT NULL DEFAULT (0)`,
    );
    await queryRunner.query(
      `ALTER TABLE "products" ADD COLUMN "approvals_required" integer NOT NULL DEFAULT (1)`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_requests" ADD COLUMN "status_reason" varchar(2000)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "certificate_requests" DROP COLUMN "status_reason"`);
    await queryRunner.query(`ALTER TABLE "products" DROP COLUMN "approvals_required"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP COLUMN "auto_approve"`);
    await queryRunner.query(`ALTER TABLE "organisations" DROP COLUMN "self_approval_allowed"`);
    await queryRunner.query(`DROP INDEX "ix_substitutions_substitute"`);
    await queryRunner.query(`DROP INDEX "ix_substitutions_absent"`);
    await queryRunner.query(`DROP TABLE "substitutions"`);
    await queryRunner.query(`DROP INDEX "uq_request_approvals_person"`);
    await queryRunner.query(`DROP TABLE "request_approvals"`);
  }
}
