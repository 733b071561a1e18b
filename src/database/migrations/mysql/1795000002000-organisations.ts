import { MigrationInterface, QueryRunner } from 'typeorm';

export class Organisations1795000002000 implements MigrationInterface {
  name = 'Organisations1795000002000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`nrens\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`name\` varchar(200) NOT NULL,
                \`country\` varchar(2) NOT NULL,
                \`contact_email\` varchar(254) NOT NULL,
                \`default_language\` varchar(8) NOT NULL,
                \`ca_login_name\` varchar(100) NULL,
                \`ca_password_enc\` varchar(512) NULL,
                \`ca_customer_id\` varchar(64) NULL,
                \`ca_product_ids\` text NOT NULL,
                \`code_signing_evidence_required\` tinyint NOT NULL DEFAULT 0,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                UNIQUE INDEX \`uq_nrens_name\` (\`name\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`organisations\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`nren_id\` int NOT NULL,
                \`name\` varchar(200) NOT NULL,
                \`street_address\` varchar(200) NOT NULL,
                \`locality\` varchar(100) NOT NULL,
                \`state_or_province\` varchar(100) NOT NULL DEFAULT '',
                \`postal_code\` varchar(20) NOT NULL DEFAULT '',
                \`country\` varchar(2) NOT NULL,
                \`registration_number\` varchar(64) NOT NULL DEFAULT '',
                \`identity_validated_at\` datetime NULL,
                \`identity_validated_by\` int NULL,
                \`certificate_contacts\` text NOT NULL,
                \`allowed_products\` text NOT NULL,
                \`ca_organisation_id\` varchar(64) NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                INDEX \`ix_organisations_nren_name\` (\`nren_id\`, \`name\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`departments\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`organisation_id\` int NOT NULL,
                \`name\` varchar(200) NOT NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                UNIQUE INDEX \`uq_departments_org_name\` (\`organisation_id\`, \`name\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`domains\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`organisation_id\` int NOT NULL,
                \`name\` varchar(253) NOT NULL,
                \`state\` varchar(16) NOT NULL DEFAULT 'pending',
                \`method\` varchar(16) NULL,
                \`validated_at\` datetime NULL,
                \`validation_expires_at\` datetime NULL,
                \`validated_by\` int NULL,
                \`validation_note\` varchar(1000) NULL,
                \`dcv_token\` varchar(32) NOT NULL,
                \`email_token_hash\` varchar(64) NULL,
                \`email_sent_to\` varchar(254) NULL,
                \`email_token_expires_at\` datetime NULL,
                \`last_check_at\` datetime NULL,
                \`last_check_method\` varchar(16) NULL,
                \`last_check_code\` varchar(32) NULL,
                \`last_check_detail\` varchar(1000) NULL,
                \`wildcards_allowed\` tinyint NOT NULL DEFAULT 0,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                UNIQUE INDEX \`uq_domains_name\` (\`name\`),
                INDEX \`ix_domains_org\` (\`organisation_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`domain_delegations\` (
                \`domain_id\` int NOT NULL,
                \`department_id\` int NOT NULL,
                \`created_by\` int NULL,
                INDEX \`ix_domain_delegations_department\` (\`department_id\`),
                PRIMARY KEY (\`domain_id\`, \`department_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`invitations\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`email\` varchar(254) NOT NULL,
                \`role\` varchar(32) NOT NULL,
                \`scope_id\` int NOT NULL,
                \`language\` varchar(8) NOT NULL,
                \`token_hash\` varchar(64) NOT NULL,
                \`invited_by\` int NULL,
                \`expires_at\` datetime NOT NULL,
                \`accepted_at\` datetime NULL,
                \`accepted_by\` int NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                UNIQUE INDEX \`uq_invitations_token\` (\`token_hash\`),
                INDEX \`ix_invitations_scope\` (\`role\`, \`scope_id\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            ALTER TABLE \`organisations\`
            ADD CONSTRAINT \`FK_e7070fa9477e861c9dd037ee052\` FOREIGN KEY (\`nren_id\`) REFERENCES \`nrens\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`departments\`
            ADD CONSTRAINT \`FK_456ff387e276c0d6fc89be46664\` FOREIGN KEY (\`organisation_id\`) REFERENCES \`organisations\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`domains\`
            ADD CONSTRAINT \`FK_43c870bbbc23400d47d377c533a\` FOREIGN KEY (\`organisation_id\`) REFERENCES \`organisations\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`domain_delegations\`
            ADD CONSTRAINT \`FK_aff7384308b6d6f7a6ec9f972c3\` FOREIGN KEY (\`domain_id\`) REFERENCES \`domains\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`domain_delegations\`
            ADD CONSTRAINT \`FK_d32a81728fcf7a1c75e5cf76a12\` FOREIGN KEY (\`department_id\`) REFERENCES \`departments\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`domain_delegations\` DROP FOREIGN KEY \`FK_d32a81728fcf7a1c75e5cf76a12\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`domain_delegations\` DROP FOREIGN KEY \`FK_aff7384308b6d6f7a6ec9f972c3\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`domains\` DROP FOREIGN KEY \`FK_43c870bbbc23400d47d377c533a\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`departments\` DROP FOREIGN KEY \`FK_456ff387e276c0d6fc89be46664\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`organisations\` DROP FOREIGN KEY \`FK_e7070fa9477e861c9dd037ee052\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_invitations_scope\` ON \`invitations\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_invitations_token\` ON \`invitations\`
        `);
    await queryRunner.query(`
            DROP TABLE \`invitations\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_domain_delegations_department\` ON \`domain_delegations\`
        `);
    await queryRunner.query(`
            DROP TABLE \`domain_delegations\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_domains_org\` ON \`domains\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_domains_name\` ON \`domains\`
        `);
    await queryRunner.query(`
            DROP TABLE \`domains\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_departments_org_name\` ON \`departments\`
        `);
    await queryRunner.query(`
            DROP TABLE \`departments\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_organisations_nren_name\` ON \`organisations\`
        `);
    await queryRunner.query(`
            DROP TABLE \`organisations\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_nrens_name\` ON \`nrens\`
        `);
    await queryRunner.query(`
            DROP TABLE \`nrens\`
        `);
  }
}
