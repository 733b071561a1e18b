import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795000000000 implements MigrationInterface {
  name = 'Foundation1795000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`role_grants\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`user_id\` int NOT NULL,
                \`role\` varchar(32) NOT NULL,
                \`scope_id\` int NOT NULL DEFAULT '0',
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                INDEX \`ix_role_grants_scope\` (\`role\`, \`scope_id\`),
                UNIQUE INDEX \`uq_role_grants\` (\`user_id\`, \`role\`, \`scope_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`users\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`email\` varchar(254) NOT NULL,
                \`display_name\` varchar(200) NOT NULL DEFAULT '',
                \`password_hash\` varchar(255) NULL,
                \`language\` varchar(8) NULL,
                \`active\` tinyint NOT NULL DEFAULT 1,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                UNIQUE INDEX \`uq_users_email\` (\`email\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`api_tokens\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`user_id\` int NOT NULL,
                \`name\` varchar(100) NOT NULL,
                \`token_hash\` varchar(64) NOT NULL,
                \`prefix\` varchar(16) NOT NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`last_used_at\` datetime NULL,
                \`revoked_at\` datetime NULL,
                UNIQUE INDEX \`uq_api_tokens_hash\` (\`token_hash\`),
                INDEX \`ix_api_tokens_user\` (\`user_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`login_throttles\` (
                \`key\` varchar(100) NOT NULL,
                \`failures\` int NOT NULL DEFAULT '0',
                \`last_failure_at\` datetime NOT NULL,
                \`blocked_until\` datetime NULL,
                PRIMARY KEY (\`key\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`audit_events\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`occurred_at\` datetime NOT NULL,
                \`actor_id\` int NULL,
                \`actor_label\` varchar(254) NOT NULL,
                \`action\` varchar(64) NOT NULL,
                \`subject_type\` varchar(32) NULL,
                \`subject_id\` varchar(64) NULL,
                \`ip\` varchar(64) NULL,
                \`detail\` text NOT NULL,
                \`prev_hash\` varchar(64) NOT NULL,
                \`hash\` varchar(64) NOT NULL,
                UNIQUE INDEX \`uq_audit_prev_hash\` (\`prev_hash\`),
                INDEX \`ix_audit_actor\` (\`actor_id\`),
                INDEX \`ix_audit_subject\` (\`subject_type\`, \`subject_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`audit_head\` (
                \`id\` int NOT NULL,
                \`last_event_id\` int NOT NULL DEFAULT '0',
                \`last_hash\` varchar(64) NOT NULL,
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`sessions\` (
                \`id_hash\` varchar(64) NOT NULL,
                \`data\` text NOT NULL,
                \`user_id\` int NULL,
                \`expires_at\` datetime NOT NULL,
                INDEX \`ix_sessions_user\` (\`user_id\`),
                INDEX \`ix_sessions_expires\` (\`expires_at\`),
                PRIMARY KEY (\`id_hash\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            ALTER TABLE \`role_grants\`
            ADD CONSTRAINT \`FK_2b1c3c28ffbc09b85170c655d4b\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`api_tokens\`
            ADD CONSTRAINT \`FK_b74883f5884a42fd8496d389b25\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    // The audit chain starts from a fixed genesis hash (AuditService.GENESIS_HASH).
    await queryRunner.query(
      `INSERT INTO \`audit_head\` (\`id\`, \`last_event_id\`, \`last_hash\`) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`api_tokens\` DROP FOREIGN KEY \`FK_b74883f5884a42fd8496d389b25\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`role_grants\` DROP FOREIGN KEY \`FK_2b1c3c28ffbc09b85170c655d4b\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_sessions_expires\` ON \`sessions\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_sessions_user\` ON \`sessions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`sessions\`
        `);
    await queryRunner.query(`
            DROP TABLE \`audit_head\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_audit_subject\` ON \`audit_events\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_audit_actor\` ON \`audit_events\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_audit_prev_hash\` ON \`audit_events\`
        `);
    await queryRunner.query(`
            DROP TABLE \`audit_events\`
        `);
    await queryRunner.query(`
            DROP TABLE \`login_throttles\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_api_tokens_user\` ON \`api_tokens\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_api_tokens_hash\` ON \`api_tokens\`
        `);
    await queryRunner.query(`
            DROP TABLE \`api_tokens\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_users_email\` ON \`users\`
        `);
    await queryRunner.query(`
            DROP TABLE \`users\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_role_grants\` ON \`role_grants\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_role_grants_scope\` ON \`role_grants\`
        `);
    await queryRunner.query(`
            DROP TABLE \`role_grants\`
        `);
  }
}
