import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExpiryReminders1795000100000 implements MigrationInterface {
  name = 'ExpiryReminders1795000100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`expiry_reminders\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`certificate_id\` int NOT NULL,
                \`threshold_days\` int NOT NULL,
                \`recipient\` varchar(254) NOT NULL,
                \`outcome\` varchar(16) NOT NULL,
                \`mail_id\` int NULL,
                \`created_at\` datetime NOT NULL,
                UNIQUE INDEX \`uq_expiry_reminders\` (\`certificate_id\`, \`threshold_days\`, \`recipient\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`expiry_reminder_cursor\` (
                \`name\` varchar(32) NOT NULL,
                \`position\` datetime NOT NULL,
                PRIMARY KEY (\`name\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`expiry_reminder_policies\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`scope\` varchar(16) NOT NULL,
                \`scope_id\` int NOT NULL,
                \`days\` varchar(100) NOT NULL,
                UNIQUE INDEX \`uq_expiry_reminder_policies\` (\`scope\`, \`scope_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`certificate_reminder_settings\` (
                \`certificate_id\` int NOT NULL,
                \`muted_at\` datetime NULL,
                \`muted_by\` int NULL,
                \`extra_addresses\` varchar(2000) NOT NULL DEFAULT '',
                PRIMARY KEY (\`certificate_id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE \`certificate_reminder_settings\``);
    await queryRunner.query(`DROP TABLE \`expiry_reminder_policies\``);
    await queryRunner.query(`DROP TABLE \`expiry_reminder_cursor\``);
    await queryRunner.query(`DROP TABLE \`expiry_reminders\``);
  }
}
