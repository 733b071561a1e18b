import { MigrationInterface, QueryRunner } from 'typeorm';

export class CaOrders1795000080000 implements MigrationInterface {
  name = 'CaOrders1795000080000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "ca_orders" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "request_id" integer NOT NULL,
                "foreign_order_number" varchar(64) NOT NULL,
                "state" varchar(16) NOT NULL,
                "attempts" integer NOT NULL DEFAULT (0),
                "polls" integer NOT NULL DEFAULT (0),
                "ca_order_number" varchar(64),
                "last_outcome" text,
                "last_attempt_at" datetime,
                "due_at" datetime NOT NULL,
                "poll_interval_seconds" integer NOT NULL DEFAULT (0),
                "ordered_at" datetime,
                "claimed_by" varchar(64),
                "claimed_until" datetime,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_ca_orders_request" ON "ca_orders" ("request_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_ca_orders_state_due" ON "ca_orders" ("state", "due_at")
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
                "replaces_certificate_id" integer,
                "replaces_how" varchar(16),
                CONSTRAINT "FK_98cd8c0c6d1c657f7be595d022e" FOREIGN KEY ("product_id") REFERENCES "products" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
                CONSTRAINT "FK_ba6386c4f7d480fc66e3625bfe9" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
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
            CREATE INDEX "ix_requests_department_status" ON "certificate_requests" ("department_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_organisation_status" ON "certificate_requests" ("organisation_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_spki" ON "certificate_requests" ("spki_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_status" ON "certificate_requests" ("status", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_requests_status"
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
                "version" integer NOT NULL,
                CONSTRAINT "FK_98cd8c0c6d1c657f7be595d022e" FOREIGN KEY ("product_id") REFERENCES "products" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
                CONSTRAINT "FK_ba6386c4f7d480fc66e3625bfe9" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
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
            CREATE INDEX "ix_requests_spki" ON "certificate_requests" ("spki_sha256")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_organisation_status" ON "certificate_requests" ("organisation_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_requests_department_status" ON "certificate_requests" ("department_id", "status")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_ca_orders_state_due"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_ca_orders_request"
        `);
    await queryRunner.query(`
            DROP TABLE "ca_orders"
        `);
  }
}
