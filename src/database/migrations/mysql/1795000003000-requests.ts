import { MigrationInterface, QueryRunner } from 'typeorm';

export class Requests1795000003000 implements MigrationInterface {
  name = 'Requests1795000003000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`blocked_keys\` (
                \`spki_sha256\` varchar(64) NOT NULL,
                \`reason\` varchar(32) NOT NULL,
                \`note\` varchar(500) NOT NULL DEFAULT '',
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                PRIMARY KEY (\`spki_sha256\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`products\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`code\` varchar(32) NOT NULL,
                \`name\` varchar(100) NOT NULL,
                \`kind\` varchar(16) NOT NULL,
                \`ca_product_id\` int NULL,
                \`max_names\` int NOT NULL,
                \`wildcards_allowed\` tinyint NOT NULL DEFAULT 0,
                \`validity_terms\` text NOT NULL,
                \`active\` tinyint NOT NULL DEFAULT 1,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                UNIQUE INDEX \`uq_products_code\` (\`code\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`certificate_requests\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`organisation_id\` int NOT NULL,
                \`department_id\` int NOT NULL,
                \`product_id\` int NOT NULL,
                \`requester_id\` int NOT NULL,
                \`status\` varchar(32) NOT NULL,
                \`csr_pem\` text NOT NULL,
                \`csr_sha256\` varchar(64) NOT NULL,
                \`spki_sha256\` varchar(64) NOT NULL,
                \`subject\` varchar(1000) NOT NULL,
                \`names\` text NOT NULL,
                \`key_type\` varchar(16) NOT NULL,
                \`key_bits\` int NULL,
                \`signature_algorithm\` varchar(64) NOT NULL,
                \`validity_days\` int NOT NULL,
                \`comment\` varchar(2000) NOT NULL DEFAULT '',
                \`warnings\` text NOT NULL,
                \`key_protection\` varchar(32) NULL,
                \`evidence_name\` varchar(200) NULL,
                \`evidence_sha256\` varchar(64) NULL,
                \`evidence_data\` text NULL,
                \`status_changed_at\` datetime NOT NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                INDEX \`ix_requests_spki\` (\`spki_sha256\`),
                INDEX \`ix_requests_organisation_status\` (\`organisation_id\`, \`status\`),
                INDEX \`ix_requests_department_status\` (\`department_id\`, \`status\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\`
            ADD CONSTRAINT \`FK_ba6386c4f7d480fc66e3625bfe9\` FOREIGN KEY (\`department_id\`) REFERENCES \`departments\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\`
            ADD CONSTRAINT \`FK_98cd8c0c6d1c657f7be595d022e\` FOREIGN KEY (\`product_id\`) REFERENCES \`products\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    // The GÉANT TCS catalogue as offered by Sectigo; the CA's product ids are set per NREN.
    await queryRunner.query(`
      INSERT INTO \`products\` (\`code\`, \`name\`, \`kind\`, \`max_names\`, \`wildcards_allowed\`, \`validity_terms\`, \`active\`, \`version\`) VALUES
        ('OV_SSL', 'OV SSL', 'tls', 2, 0, '[397]', 1, 1),
        ('OV_MULTI', 'OV Multi-Domain', 'tls', 100, 0, '[397]', 1, 1),
        ('WILDCARD_SSL', 'OV Wildcard SSL', 'tls', 2, 1, '[397]', 1, 1),
        ('EV_SSL', 'EV SSL', 'tls', 2, 0, '[397]', 1, 1),
        ('EV_MULTI', 'EV Multi-Domain', 'tls', 100, 0, '[397]', 1, 1),
        ('IGTF_MULTI', 'IGTF Multi-Domain (e-Science hosts)', 'tls', 100, 0, '[395]', 1, 1),
        ('CODE_SIGNING', 'Code Signing', 'code-signing', 1, 0, '[460,365]', 1, 1),
        ('EV_CODE_SIGNING', 'EV Code Signing', 'code-signing', 1, 0, '[460,365]', 1, 1)
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\` DROP FOREIGN KEY \`FK_98cd8c0c6d1c657f7be595d022e\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_requests\` DROP FOREIGN KEY \`FK_ba6386c4f7d480fc66e3625bfe9\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_requests_department_status\` ON \`certificate_requests\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_requests_organisation_status\` ON \`certificate_requests\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_requests_spki\` ON \`certificate_requests\`
        `);
    await queryRunner.query(`
            DROP TABLE \`certificate_requests\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_products_code\` ON \`products\`
        `);
    await queryRunner.query(`
            DROP TABLE \`products\`
        `);
    await queryRunner.query(`
            DROP TABLE \`blocked_keys\`
        `);
  }
}
