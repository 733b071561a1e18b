import { MigrationInterface, QueryRunner } from 'typeorm';

// "Forgot password" links: the token's SHA-256, the account, when it was made and used.
export class PasswordResets1795000051000 implements MigrationInterface {
  name = 'PasswordResets1795000051000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`password_resets\` (
                \`token_hash\` varchar(64) NOT NULL,
                \`user_id\` int NOT NULL,
                \`created_at\` datetime NOT NULL,
                \`expires_at\` datetime NOT NULL,
                \`used_at\` datetime NULL,
                INDEX \`ix_password_resets_user\` (\`user_id\`),
                PRIMARY KEY (\`token_hash\`)
            ) ENGINE = InnoDB
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`ix_password_resets_user\` ON \`password_resets\``);
    await queryRunner.query(`DROP TABLE \`password_resets\``);
  }
}
