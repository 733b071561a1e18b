import { MigrationInterface, QueryRunner } from 'typeorm';

export class Mail1795000001000 implements MigrationInterface {
  name = 'Mail1795000001000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`mail_messages\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`to_address\` varchar(254) NOT NULL,
                \`subject\` varchar(300) NOT NULL,
                \`text_body\` text NOT NULL,
                \`html_body\` text NULL,
                \`language\` varchar(8) NOT NULL,
                \`template\` varchar(64) NOT NULL,
                \`status\` varchar(16) NOT NULL,
                \`attempts\` int NOT NULL DEFAULT '0',
                \`next_attempt_at\` datetime NOT NULL,
                \`claimed_by\` varchar(64) NULL,
                \`claimed_until\` datetime NULL,
                \`sent_at\` datetime NULL,
                \`transport\` varchar(16) NULL,
                \`last_error\` varchar(500) NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                INDEX \`ix_mail_messages_due\` (\`status\`, \`next_attempt_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`ix_mail_messages_due\` ON \`mail_messages\`
        `);
    await queryRunner.query(`
            DROP TABLE \`mail_messages\`
        `);
  }
}
