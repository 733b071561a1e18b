import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApprovalDigests1795000091000 implements MigrationInterface {
  name = 'ApprovalDigests1795000091000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "approval_digests" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "person_id" integer NOT NULL, "slot" integer NOT NULL, "newest_request_id" integer NOT NULL, "sent_at" datetime NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_approval_digests_slot" ON "approval_digests" ("person_id", "slot")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_approval_digests_slot"`);
    await queryRunner.query(`DROP TABLE "approval_digests"`);
  }
}
