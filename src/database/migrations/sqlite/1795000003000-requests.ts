import { MigrationInterface, QueryRunner } from 'typeorm';

export class Requests1795000003000 implements MigrationInterface {
  name = 'Requests1795000003000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "blocked_keys" (
                "spki_sha256" varchar(64) PRIMARY KEY NOT NULL,
                "reason" varchar(32) NOT NULL,
                "note" varchar(500) NOT NULL DEFAULT (''),
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "products" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "code" varchar(32) NOT NULL,
                "name" varchar(100) NOT NULL,
                "kind" varchar(16) NOT NULL,
                "ca_product_id" integer,
                "max_names" integer NOT NULL,
                "wildcards_allowed" boolean NOT NULL DEFAULT (0),
                "validity_terms" text NOT NULL,
                "active" boolean NOT NULL DEFAULT (1),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_products_code" ON "products" ("code")
        `);
    await queryRunner.query(`
            CREATE TABLE "certificate_requests" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "product_id" integer NOT NULL,
                "requester_id" integer NOT NULL,
                "status" varchar(32) NOT NULL,
                "csr_pem" text NOT NULL,
                "csr_sha256" varchar(64) NOT NULL,
                "spki_sha256" varchar(64) NOT NULL,
                "subject" varchar(1000) NOT NULL,
                "names" text NOT NULL,
                "key_type" varchar(16) NOT NULL,
                "key_bits" integer,
                "signature_algorithm" varchar(64) NOT NULL,
                "validity_days" integer NOT NULL,
                "comment" varchar(2000) NOT NULL DEFAULT (''),
                "warnings" text NOT NULL,
                "key_protection" varchar(32),
                "evidence_name" varchar(200),
                "evidence_sha256" varchar(64),
                "evidence_data" text,
                "status_changed_at" datetime NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_spki" ON "certificate_requests" ("spki_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_organisation_status" ON "certificate_requests" ("organisation_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_department_status" ON "certificate_requests" ("department_id", "status")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_spki"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_organisation_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_department_status"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_certificate_requests" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "product_id" integer NOT NULL,
                "requester_id" integer NOT NULL,
                "status" varchar(32) NOT NULL,
                "csr_pem" text NOT NULL,
                "csr_sha256" varchar(64) NOT NULL,
                "spki_sha256" varchar(64) NOT NULL,
                "subject" varchar(1000) NOT NULL,
                "names" text NOT NULL,
                "key_type" varchar(16) NOT NULL,
                "key_bits" integer,
                "signature_algorithm" varchar(64) NOT NULL,
                "validity_days" integer NOT NULL,
                "comment" varchar(2000) NOT NULL DEFAULT (''),
                "warnings" text NOT NULL,
                "key_protection" varchar(32),
                "evidence_name" varchar(200),
                "evidence_sha256" varchar(64),
                "evidence_data" text,
                "status_changed_at" datetime NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL,
                CONSTRAINT "FK_ba6386c4f7d480fc66e3625bfe9" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
                CONSTRAINT "FK_98cd8c0c6d1c657f7be595d022e" FOREIGN KEY ("product_id") REFERENCES "products" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_certificate_requests"(
                    "id",
                    "organisation_id",
                    "department_id",
                    "product_id",
                    "requester_id",
                    "status",
                    "csr_pem",
                    "csr_sha256",
                    "spki_sha256",
                    "subject",
                    "names",
                    "key_type",
                    "key_bits",
                    "signature_algorithm",
                    "validity_days",
                    "comment",
                    "warnings",
                    "key_protection",
                    "evidence_name",
                    "evidence_sha256",
                    "evidence_data",
                    "status_changed_at",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "organisation_id",
                "department_id",
                "product_id",
                "requester_id",
                "status",
                "csr_pem",
                "csr_sha256",
                "spki_sha256",
                "subject",
                "names",
                "key_type",
                "key_bits",
                "signature_algorithm",
                "validity_days",
                "comment",
                "warnings",
                "key_protection",
                "evidence_name",
                "evidence_sha256",
                "evidence_data",
                "status_changed_at",
                "created_at",
                "updated_at",
                "version"
            FROM "certificate_requests"
        `);
    await queryRunner.query(`
            DROP TABLE "certificate_requests"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_certificate_requests"
                RENAME TO "certificate_requests"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_spki" ON "certificate_requests" ("spki_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_organisation_status" ON "certificate_requests" ("organisation_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_department_status" ON "certificate_requests" ("department_id", "status")
        `);
    // The GÉANT TCS catalogue as offered by Sectigo; the CA's product ids are set per NREN.
    await queryRunner.query(`
      INSERT INTO "products" ("code", "name", "kind", "max_names", "wildcards_allowed", "validity_terms", "active", "version") VALUES
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
            DROP INDEX "ix_requests_department_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_organisation_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_spki"
        `);
    await queryRunner.query(`
            ALTER TABLE "certificate_requests"
                RENAME TO "temporary_certificate_requests"
        `);
    await queryRunner.query(`
            CREATE TABLE "certificate_requests" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "product_id" integer NOT NULL,
                "requester_id" integer NOT NULL,
                "status" varchar(32) NOT NULL,
                "csr_pem" text NOT NULL,
                "csr_sha256" varchar(64) NOT NULL,
                "spki_sha256" varchar(64) NOT NULL,
                "subject" varchar(1000) NOT NULL,
                "names" text NOT NULL,
                "key_type" varchar(16) NOT NULL,
                "key_bits" integer,
                "signature_algorithm" varchar(64) NOT NULL,
                "validity_days" integer NOT NULL,
                "comment" varchar(2000) NOT NULL DEFAULT (''),
                "warnings" text NOT NULL,
                "key_protection" varchar(32),
                "evidence_name" varchar(200),
                "evidence_sha256" varchar(64),
                "evidence_data" text,
                "status_changed_at" datetime NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            INSERT INTO "certificate_requests"(
                    "id",
                    "organisation_id",
                    "department_id",
                    "product_id",
                    "requester_id",
                    "status",
                    "csr_pem",
                    "csr_sha256",
                    "spki_sha256",
                    "subject",
                    "names",
                    "key_type",
                    "key_bits",
                    "signature_algorithm",
                    "validity_days",
                    "comment",
                    "warnings",
                    "key_protection",
                    "evidence_name",
                    "evidence_sha256",
                    "evidence_data",
                    "status_changed_at",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "organisation_id",
                "department_id",
                "product_id",
                "requester_id",
                "status",
                "csr_pem",
                "csr_sha256",
                "spki_sha256",
                "subject",
                "names",
                "key_type",
                "key_bits",
                "signature_algorithm",
                "validity_days",
                "comment",
                "warnings",
                "key_protection",
                "evidence_name",
                "evidence_sha256",
                "evidence_data",
                "status_changed_at",
                "created_at",
                "updated_at",
                "version"
            FROM "temporary_certificate_requests"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_certificate_requests"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_department_status" ON "certificate_requests" ("department_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_organisation_status" ON "certificate_requests" ("organisation_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_spki" ON "certificate_requests" ("spki_sha256")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_department_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_organisation_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_requests_spki"
        `);
    await queryRunner.query(`
            DROP TABLE "certificate_requests"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_products_code"
        `);
    await queryRunner.query(`
            DROP TABLE "products"
        `);
    await queryRunner.query(`
            DROP TABLE "blocked_keys"
        `);
  }
}
