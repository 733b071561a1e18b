import { MigrationInterface, QueryRunner } from 'typeorm';

export class Federation1795000060000 implements MigrationInterface {
  name = 'Federation1795000060000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`federated_identities\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`user_id\` int NOT NULL,
                \`protocol\` varchar(8) NOT NULL,
                \`subject\` varchar(512) NOT NULL,
                \`provider\` varchar(512) NOT NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`last_login_at\` datetime NULL,
                \`entitled_grants\` text NULL,
                INDEX \`ix_federated_identities_user\` (\`user_id\`),
                UNIQUE INDEX \`uq_federated_identities\` (\`protocol\`, \`subject\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`federation_logins\` (
                \`id\` varchar(64) NOT NULL,
                \`protocol\` varchar(8) NOT NULL,
                \`provider\` varchar(512) NOT NULL,
                \`intent\` varchar(16) NOT NULL,
                \`intent_ref\` int NULL,
                \`next_path\` varchar(2048) NOT NULL DEFAULT '/',
                \`browser_hash\` varchar(64) NOT NULL,
                \`pkce_verifier\` varchar(128) NULL,
                \`nonce\` varchar(64) NULL,
                \`expires_at\` datetime NOT NULL,
                \`answered_at\` datetime NULL,
                \`identity\` text NULL,
                \`completed_at\` datetime NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                INDEX \`ix_federation_logins_expires\` (\`expires_at\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`nren_login_policies\` (
                \`nren_id\` int NOT NULL,
                \`federated_only\` tinyint NOT NULL DEFAULT 0,
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                PRIMARY KEY (\`nren_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`federation_feeds\` (
                \`id\` varchar(32) NOT NULL,
                \`claimed_by\` varchar(64) NULL,
                \`claimed_until\` datetime NULL,
                \`refreshed_at\` datetime NULL,
                \`valid_until\` datetime NULL,
                \`idp_count\` int NOT NULL DEFAULT '0',
                \`last_error\` varchar(500) NULL,
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`saml_idps\` (
                \`entity_id\` varchar(512) NOT NULL,
                \`source\` varchar(8) NOT NULL,
                \`name\` varchar(255) NOT NULL,
                \`names\` text NOT NULL,
                \`search_text\` text NOT NULL,
                \`sso_url\` varchar(1024) NOT NULL,
                \`certificates\` text NOT NULL,
                \`scopes\` text NOT NULL,
                \`valid_until\` datetime NULL,
                INDEX \`ix_saml_idps_name\` (\`name\`),
                PRIMARY KEY (\`entity_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            ALTER TABLE \`federated_identities\`
            ADD CONSTRAINT \`FK_e69265633ea3123bf964db2551c\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE `federated_identities` DROP FOREIGN KEY `FK_e69265633ea3123bf964db2551c`',
    );
    await queryRunner.query('DROP TABLE `saml_idps`');
    await queryRunner.query('DROP TABLE `federation_feeds`');
    await queryRunner.query('DROP TABLE `nren_login_policies`');
    await queryRunner.query('DROP TABLE `federation_logins`');
    await queryRunner.query('DROP TABLE `federated_identities`');
  }
}
