import { MigrationInterface, QueryRunner } from 'typeorm';

export class Certificates1795000045000 implements MigrationInterface {
  name = 'Certificates1795000045000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE \`certificate_names\` (
                \`certificate_id\` int NOT NULL,
                \`name\` varchar(253) NOT NULL,
                \`reversed\` varchar(253) NOT NULL,
                INDEX \`ix_certificate_names_reversed\` (\`reversed\`, \`certificate_id\`),
                PRIMARY KEY (\`certificate_id\`, \`name\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`certificates\` (
                \`id\` int NOT NULL AUTO_INCREMENT,
                \`nren_id\` int NOT NULL,
                \`organisation_id\` int NOT NULL,
                \`department_id\` int NOT NULL,
                \`source\` varchar(16) NOT NULL,
                \`request_id\` int NULL,
                \`replaces_id\` int NULL,
                \`serial\` varchar(64) NOT NULL,
                \`issuer\` varchar(1000) NOT NULL,
                \`subject\` varchar(1000) NOT NULL,
                \`main_name\` varchar(253) NOT NULL,
                \`name_count\` int NOT NULL,
                \`key_type\` varchar(16) NOT NULL,
                \`key_bits\` int NULL,
                \`signature_algorithm\` varchar(64) NOT NULL,
                \`not_before\` datetime NOT NULL,
                \`not_after\` datetime NOT NULL,
                \`fingerprint_sha256\` varchar(64) NOT NULL,
                \`spki_sha256\` varchar(64) NOT NULL,
                \`state\` varchar(16) NOT NULL,
                \`revocation_reason\` varchar(32) NULL,
                \`revoked_at\` datetime NULL,
                \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
                \`version\` int NOT NULL,
                INDEX \`ix_certificates_replaces\` (\`replaces_id\`),
                INDEX \`ix_certificates_request\` (\`request_id\`),
                INDEX \`ix_certificates_spki\` (\`spki_sha256\`),
                INDEX \`ix_certificates_serial\` (\`serial\`),
                INDEX \`ix_certificates_department\` (\`department_id\`, \`id\`, \`state\`),
                INDEX \`ix_certificates_department_expiry\` (\`department_id\`, \`not_after\`, \`id\`, \`state\`),
                INDEX \`ix_certificates_organisation\` (\`organisation_id\`, \`id\`, \`state\`),
                INDEX \`ix_certificates_organisation_expiry\` (\`organisation_id\`, \`not_after\`, \`id\`, \`state\`),
                INDEX \`ix_certificates_nren\` (\`nren_id\`, \`id\`, \`state\`),
                INDEX \`ix_certificates_nren_expiry\` (\`nren_id\`, \`not_after\`, \`id\`, \`state\`),
                INDEX \`ix_certificates_expiry\` (\`not_after\`, \`id\`, \`state\`),
                UNIQUE INDEX \`uq_certificates_fingerprint\` (\`fingerprint_sha256\`),
                PRIMARY KEY (\`id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            CREATE TABLE \`certificate_files\` (
                \`certificate_id\` int NOT NULL,
                \`leaf_der\` blob NOT NULL,
                \`chain_der\` blob NOT NULL,
                PRIMARY KEY (\`certificate_id\`)
            ) ENGINE = InnoDB
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_names\`
            ADD CONSTRAINT \`FK_db3ff61e435c7014822ce4ef44a\` FOREIGN KEY (\`certificate_id\`) REFERENCES \`certificates\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificates\`
            ADD CONSTRAINT \`FK_8c8e7517da6c8d7c48bfec43282\` FOREIGN KEY (\`department_id\`) REFERENCES \`departments\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificates\`
            ADD CONSTRAINT \`FK_f434ea93e533e0913f06ad4b7fb\` FOREIGN KEY (\`request_id\`) REFERENCES \`certificate_requests\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificates\`
            ADD CONSTRAINT \`FK_1855b64447c137ba85c24280638\` FOREIGN KEY (\`replaces_id\`) REFERENCES \`certificates\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_files\`
            ADD CONSTRAINT \`FK_3176733cf516f65dfa9cffe7dc3\` FOREIGN KEY (\`certificate_id\`) REFERENCES \`certificates\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE \`certificate_files\` DROP FOREIGN KEY \`FK_3176733cf516f65dfa9cffe7dc3\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificates\` DROP FOREIGN KEY \`FK_1855b64447c137ba85c24280638\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificates\` DROP FOREIGN KEY \`FK_f434ea93e533e0913f06ad4b7fb\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificates\` DROP FOREIGN KEY \`FK_8c8e7517da6c8d7c48bfec43282\`
        `);
    await queryRunner.query(`
            ALTER TABLE \`certificate_names\` DROP FOREIGN KEY \`FK_db3ff61e435c7014822ce4ef44a\`
        `);
    await queryRunner.query(`
            DROP TABLE \`certificate_files\`
        `);
    await queryRunner.query(`
            DROP INDEX \`uq_certificates_fingerprint\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_expiry\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_nren_expiry\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_nren\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_organisation_expiry\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_organisation\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_department_expiry\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_department\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_serial\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_spki\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_request\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificates_replaces\` ON \`certificates\`
        `);
    await queryRunner.query(`
            DROP TABLE \`certificates\`
        `);
    await queryRunner.query(`
            DROP INDEX \`ix_certificate_names_reversed\` ON \`certificate_names\`
        `);
    await queryRunner.query(`
            DROP TABLE \`certificate_names\`
        `);
  }
}
