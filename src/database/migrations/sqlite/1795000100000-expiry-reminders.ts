import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExpiryReminders1795000100000 implements MigrationInterface {
  name = 'ExpiryReminders1795000100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "expiry_reminders" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "certificate_id" integer NOT NULL,
                "threshold_days" integer NOT NULL,
                "recipient" varchar(254) NOT NULL,
                "outcome" varchar(16) NOT NULL,
                "mail_id" integer,
                "created_at" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_expiry_reminders" ON "expiry_reminders" ("certificate_id", "threshold_days", "recipient")
        `);
    await queryRunner.query(`
            CREATE TABLE "expiry_reminder_cursor" (
                "name" varchar(32) PRIMARY KEY NOT NULL,
                "position" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "expiry_reminder_policies" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "scope" varchar(16) NOT NULL,
                "scope_id" integer NOT NULL,
                "days" varchar(100) NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_expiry_reminder_policies" ON "expiry_reminder_policies" ("scope", "scope_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "certificate_reminder_settings" (
                "certificate_id" integer PRIMARY KEY NOT NULL,
                "muted_at" datetime,
                "muted_by" integer,
                "extra_addresses" varchar(2000) NOT NULL DEFAULT ('')
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "certificate_reminder_settings"`);
    await queryRunner.query(`DROP INDEX "uq_expiry_reminder_policies"`);
    await queryRunner.query(`DROP TABLE "expiry_reminder_policies"`);
    await queryRunner.query(`DROP TABLE "expiry_reminder_cursor"`);
    await queryRunner.query(`DROP INDEX "uq_expiry_reminders"`);
    await queryRunner.query(`DROP TABLE "expiry_reminders"`);
  }
}
