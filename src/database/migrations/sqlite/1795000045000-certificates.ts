import { MigrationInterface, QueryRunner } from 'typeorm';

export class Certificates1795000045000 implements MigrationInterface {
  name = 'Certificates1795000045000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "certificate_names" (
                "certificate_id" integer NOT NULL,
                "name" varchar(253) NOT NULL,
                "reversed" varchar(253) NOT NULL,
                PRIMARY KEY ("certificate_id", "name")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificate_names_reversed" ON "certificate_names" ("reversed", "certificate_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "certificates" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "nren_id" integer NOT NULL,
                "organisation_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "source" varchar(16) NOT NULL,
                "request_id" integer,
                "replaces_id" integer,
                "serial" varchar(64) NOT NULL,
                "issuer" varchar(1000) NOT NULL,
                "subject" varchar(1000) NOT NULL,
                "main_name" varchar(253) NOT NULL,
                "name_count" integer NOT NULL,
                "key_type" varchar(16) NOT NULL,
                "key_bits" integer,
                "signature_algorithm" varchar(64) NOT NULL,
                "not_before" datetime NOT NULL,
                "not_after" datetime NOT NULL,
                "fingerprint_sha256" varchar(64) NOT NULL,
                "spki_sha256" varchar(64) NOT NULL,
                "state" varchar(16) NOT NULL,
                "revocation_reason" varchar(32),
                "revoked_at" datetime,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_replaces" ON "certificates" ("replaces_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_request" ON "certificates" ("request_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_spki" ON "certificates" ("spki_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_serial" ON "certificates" ("serial")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_department" ON "certificates" ("department_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_department_expiry" ON "certificates" ("department_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_organisation" ON "certificates" ("organisation_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_organisation_expiry" ON "certificates" ("organisation_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_nren" ON "certificates" ("nren_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_nren_expiry" ON "certificates" ("nren_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_expiry" ON "certificates" ("not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_certificates_fingerprint" ON "certificates" ("fingerprint_sha256")
        `);
    await queryRunner.query(`
            CREATE TABLE "certificate_files" (
                "certificate_id" integer PRIMARY KEY NOT NULL,
                "leaf_der" blob NOT NULL,
                "chain_der" blob NOT NULL
            )
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificate_names_reversed"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_certificate_names" (
                "certificate_id" integer NOT NULL,
                "name" varchar(253) NOT NULL,
                "reversed" varchar(253) NOT NULL,
                CONSTRAINT "FK_db3ff61e435c7014822ce4ef44a" FOREIGN KEY ("certificate_id") REFERENCES "certificates" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
                PRIMARY KEY ("certificate_id", "name")
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_certificate_names"("certificate_id", "name", "reversed")
            SELECT "certificate_id",
                "name",
                "reversed"
            FROM "certificate_names"
        `);
    await queryRunner.query(`
            DROP TABLE "certificate_names"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_certificate_names"
                RENAME TO "certificate_names"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificate_names_reversed" ON "certificate_names" ("reversed", "certificate_id")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_replaces"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_request"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_spki"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_serial"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_department"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_department_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_organisation"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_organisation_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_nren"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_nren_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_certificates_fingerprint"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_certificates" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "nren_id" integer NOT NULL,
                "organisation_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "source" varchar(16) NOT NULL,
                "request_id" integer,
                "replaces_id" integer,
                "serial" varchar(64) NOT NULL,
                "issuer" varchar(1000) NOT NULL,
                "subject" varchar(1000) NOT NULL,
                "main_name" varchar(253) NOT NULL,
                "name_count" integer NOT NULL,
                "key_type" varchar(16) NOT NULL,
                "key_bits" integer,
                "signature_algorithm" varchar(64) NOT NULL,
                "not_before" datetime NOT NULL,
                "not_after" datetime NOT NULL,
                "fingerprint_sha256" varchar(64) NOT NULL,
                "spki_sha256" varchar(64) NOT NULL,
                "state" varchar(16) NOT NULL,
                "revocation_reason" varchar(32),
                "revoked_at" datetime,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL,
                CONSTRAINT "FK_8c8e7517da6c8d7c48bfec43282" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
                CONSTRAINT "FK_f434ea93e533e0913f06ad4b7fb" FOREIGN KEY ("request_id") REFERENCES "certificate_requests" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
                CONSTRAINT "FK_1855b64447c137ba85c24280638" FOREIGN KEY ("replaces_id") REFERENCES "certificates" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_certificates"(
                    "id",
                    "nren_id",
                    "organisation_id",
                    "department_id",
                    "source",
                    "request_id",
                    "replaces_id",
                    "serial",
                    "issuer",
                    "subject",
                    "main_name",
                    "name_count",
                    "key_type",
                    "key_bits",
                    "signature_algorithm",
                    "not_before",
                    "not_after",
                    "fingerprint_sha256",
                    "spki_sha256",
                    "state",
                    "revocation_reason",
                    "revoked_at",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "nren_id",
                "organisation_id",
                "department_id",
                "source",
                "request_id",
                "replaces_id",
                "serial",
                "issuer",
                "subject",
                "main_name",
                "name_count",
                "key_type",
                "key_bits",
                "signature_algorithm",
                "not_before",
                "not_after",
                "fingerprint_sha256",
                "spki_sha256",
                "state",
                "revocation_reason",
                "revoked_at",
                "created_at",
                "updated_at",
                "version"
            FROM "certificates"
        `);
    await queryRunner.query(`
            DROP TABLE "certificates"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_certificates"
                RENAME TO "certificates"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_replaces" ON "certificates" ("replaces_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_request" ON "certificates" ("request_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_spki" ON "certificates" ("spki_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_serial" ON "certificates" ("serial")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_department" ON "certificates" ("department_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_department_expiry" ON "certificates" ("department_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_organisation" ON "certificates" ("organisation_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_organisation_expiry" ON "certificates" ("organisation_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_nren" ON "certificates" ("nren_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_nren_expiry" ON "certificates" ("nren_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_expiry" ON "certificates" ("not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_certificates_fingerprint" ON "certificates" ("fingerprint_sha256")
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_certificate_files" (
                "certificate_id" integer PRIMARY KEY NOT NULL,
                "leaf_der" blob NOT NULL,
                "chain_der" blob NOT NULL,
                CONSTRAINT "FK_3176733cf516f65dfa9cffe7dc3" FOREIGN KEY ("certificate_id") REFERENCES "certificates" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_certificate_files"("certificate_id", "leaf_der", "chain_der")
            SELECT "certificate_id",
                "leaf_der",
                "chain_der"
            FROM "certificate_files"
        `);
    await queryRunner.query(`
            DROP TABLE "certificate_files"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_certificate_files"
                RENAME TO "certificate_files"
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "certificate_files"
                RENAME TO "temporary_certificate_files"
        `);
    await queryRunner.query(`
            CREATE TABLE "certificate_files" (
                "certificate_id" integer PRIMARY KEY NOT NULL,
                "leaf_der" blob NOT NULL,
                "chain_der" blob NOT NULL
            )
        `);
    await queryRunner.query(`
            INSERT INTO "certificate_files"("certificate_id", "leaf_der", "chain_der")
            SELECT "certificate_id",
                "leaf_der",
                "chain_der"
            FROM "temporary_certificate_files"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_certificate_files"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_certificates_fingerprint"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_nren_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_nren"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_organisation_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_organisation"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_department_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_department"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_serial"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_spki"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_request"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_replaces"
        `);
    await queryRunner.query(`
            ALTER TABLE "certificates"
                RENAME TO "temporary_certificates"
        `);
    await queryRunner.query(`
            CREATE TABLE "certificates" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "nren_id" integer NOT NULL,
                "organisation_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "source" varchar(16) NOT NULL,
                "request_id" integer,
                "replaces_id" integer,
                "serial" varchar(64) NOT NULL,
                "issuer" varchar(1000) NOT NULL,
                "subject" varchar(1000) NOT NULL,
                "main_name" varchar(253) NOT NULL,
                "name_count" integer NOT NULL,
                "key_type" varchar(16) NOT NULL,
                "key_bits" integer,
                "signature_algorithm" varchar(64) NOT NULL,
                "not_before" datetime NOT NULL,
                "not_after" datetime NOT NULL,
                "fingerprint_sha256" varchar(64) NOT NULL,
                "spki_sha256" varchar(64) NOT NULL,
                "state" varchar(16) NOT NULL,
                "revocation_reason" varchar(32),
                "revoked_at" datetime,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            INSERT INTO "certificates"(
                    "id",
                    "nren_id",
                    "organisation_id",
                    "department_id",
                    "source",
                    "request_id",
                    "replaces_id",
                    "serial",
                    "issuer",
                    "subject",
                    "main_name",
                    "name_count",
                    "key_type",
                    "key_bits",
                    "signature_algorithm",
                    "not_before",
                    "not_after",
                    "fingerprint_sha256",
                    "spki_sha256",
                    "state",
                    "revocation_reason",
                    "revoked_at",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "nren_id",
                "organisation_id",
                "department_id",
                "source",
                "request_id",
                "replaces_id",
                "serial",
                "issuer",
                "subject",
                "main_name",
                "name_count",
                "key_type",
                "key_bits",
                "signature_algorithm",
                "not_before",
                "not_after",
                "fingerprint_sha256",
                "spki_sha256",
                "state",
                "revocation_reason",
                "revoked_at",
                "created_at",
                "updated_at",
                "version"
            FROM "temporary_certificates"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_certificates"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_certificates_fingerprint" ON "certificates" ("fingerprint_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_expiry" ON "certificates" ("not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_nren_expiry" ON "certificates" ("nren_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_nren" ON "certificates" ("nren_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_organisation_expiry" ON "certificates" ("organisation_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_organisation" ON "certificates" ("organisation_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_department_expiry" ON "certificates" ("department_id", "not_after", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_department" ON "certificates" ("department_id", "id", "state")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_serial" ON "certificates" ("serial")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_spki" ON "certificates" ("spki_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_request" ON "certificates" ("request_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificates_replaces" ON "certificates" ("replaces_id")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificate_names_reversed"
        `);
    await queryRunner.query(`
            ALTER TABLE "certificate_names"
                RENAME TO "temporary_certificate_names"
        `);
    await queryRunner.query(`
            CREATE TABLE "certificate_names" (
                "certificate_id" integer NOT NULL,
                "name" varchar(253) NOT NULL,
                "reversed" varchar(253) NOT NULL,
                PRIMARY KEY ("certificate_id", "name")
            )
        `);
    await queryRunner.query(`
            INSERT INTO "certificate_names"("certificate_id", "name", "reversed")
            SELECT "certificate_id",
                "name",
                "reversed"
            FROM "temporary_certificate_names"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_certificate_names"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_certificate_names_reversed" ON "certificate_names" ("reversed", "certificate_id")
        `);
    await queryRunner.query(`
            DROP TABLE "certificate_files"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_certificates_fingerprint"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_nren_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_nren"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_organisation_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_organisation"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_department_expiry"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_department"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_serial"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_spki"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_request"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificates_replaces"
        `);
    await queryRunner.query(`
            DROP TABLE "certificates"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_certificate_names_reversed"
        `);
    await queryRunner.query(`
            DROP TABLE "certificate_names"
        `);
  }
}
