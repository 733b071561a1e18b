import { MigrationInterface, QueryRunner } from 'typeorm';

export class MailSecrets1795000032000 implements MigrationInterface {
  name = 'MailSecrets1795000032000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`mail_messages\`
            ADD \`secret\` varchar(128) NULL
        `);
    await queryRunner.query(`
            ALTER TABLE \`mail_messages\`
            ADD \`secret_expires_at\` datetime NULL
        `);
    await queryRunner.query(`
            CREATE INDEX \`ix_mail_messages_secret\` ON \`mail_messages\` (\`secret\`)
        `);
    await queryRunner.query(`
            CREATE INDEX \`ix_mail_messages_secret_expiry\` ON \`mail_messages\` (\`secret_expires_at\`)
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX \`ix_mail_messages_secret_expiry\` ON \`mail_messages\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_mail_messages_secret\` ON \`mail_messages\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`mail_messages\` DROP COLUMN \`secret_expires_at\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`mail_messages\` DROP COLUMN \`secret\`
        `);
  }
}
