import { MigrationInterface, QueryRunner } from 'typeorm';

export class SecondFactor1795000120000 implements MigrationInterface {
  name = 'SecondFactor1795000120000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "second_factors" ("user_id" integer PRIMARY KEY NOT NULL, "secret_sealed" varchar(255) NOT NULL, "confirmed_at" datetime, "last_used_step" integer, "created_at" datetime NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "recovery_codes" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "user_id" integer NOT NULL, "code_hash" varchar(64) NOT NULL, "used_at" datetime)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_recovery_codes" ON "recovery_codes" ("user_id", "code_hash")`,
    );
    await queryRunner.query(
      `CREATE TABLE "notification_opt_outs" ("user_id" integer NOT NULL, "kind" varchar(40) NOT NULL, "created_at" datetime NOT NULL, PRIMARY KEY ("user_id", "kind"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notification_opt_outs"`);
    await queryRunner.query(`DROP INDEX "uq_recovery_codes"`);
    await queryRunner.query(`DROP TABLE "recovery_codes"`);
    await queryRunner.query(`DROP TABLE "second_factors"`);
  }
}
