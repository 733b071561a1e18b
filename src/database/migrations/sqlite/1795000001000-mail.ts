import { MigrationInterface, QueryRunner } from 'typeorm';

export class Mail1795000001000 implements MigrationInterface {
  name = 'Mail1795000001000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "mail_messages" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "to_address" varchar(254) NOT NULL,
                "subject" varchar(300) NOT NULL,
                "text_body" text NOT NULL,
                "html_body" text,
                "language" varchar(8) NOT NULL,
                "template" varchar(64) NOT NULL,
                "status" varchar(16) NOT NULL,
                "attempts" integer NOT NULL DEFAULT (0),
                "next_attempt_at" datetime NOT NULL,
                "claimed_by" varchar(64),
                "claimed_until" datetime,
                "sent_at" datetime,
                "transport" varchar(16),
                "last_error" varchar(500),
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_mail_messages_due" ON "mail_messages" ("status", "next_attempt_at")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_mail_messages_due"
        `);
    await queryRunner.query(`
            DROP TABLE "mail_messages"
        `);
  }
}
