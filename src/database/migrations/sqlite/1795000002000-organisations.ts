import { MigrationInterface, QueryRunner } from 'typeorm';

export class Organisations1795000002000 implements MigrationInterface {
  name = 'Organisations1795000002000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "nrens" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "name" varchar(200) NOT NULL,
                "country" varchar(2) NOT NULL,
                "contact_email" varchar(254) NOT NULL,
                "default_language" varchar(8) NOT NULL,
                "ca_login_name" varchar(100),
                "ca_password_enc" varchar(512),
                "ca_customer_id" varchar(64),
                "ca_product_ids" text NOT NULL,
                "code_signing_evidence_required" boolean NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_nrens_name" ON "nrens" ("name")
        `);
    await queryRunner.query(`
            CREATE TABLE "organisations" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "nren_id" integer NOT NULL,
                "name" varchar(200) NOT NULL,
                "street_address" varchar(200) NOT NULL,
                "locality" varchar(100) NOT NULL,
                "state_or_province" varchar(100) NOT NULL DEFAULT (''),
                "postal_code" varchar(20) NOT NULL DEFAULT (''),
                "country" varchar(2) NOT NULL,
                "registration_number" varchar(64) NOT NULL DEFAULT (''),
                "identity_validated_at" datetime,
                "identity_validated_by" integer,
                "certificate_contacts" text NOT NULL,
                "allowed_products" text NOT NULL,
                "ca_organisation_id" varchar(64),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_organisations_nren_name" ON "organisations" ("nren_id", "name")
        `);
    await queryRunner.query(`
            CREATE TABLE "departments" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "name" varchar(200) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_departments_org_name" ON "departments" ("organisation_id", "name")
        `);
    await queryRunner.query(`
            CREATE TABLE "domains" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "name" varchar(253) NOT NULL,
                "state" varchar(16) NOT NULL DEFAULT ('pending'),
                "method" varchar(16),
                "validated_at" datetime,
                "validation_expires_at" datetime,
                "validated_by" integer,
                "validation_note" varchar(1000),
                "dcv_token" varchar(32) NOT NULL,
                "email_token_hash" varchar(64),
                "email_sent_to" varchar(254),
                "email_token_expires_at" datetime,
                "last_check_at" datetime,
                "last_check_method" varchar(16),
                "last_check_code" varchar(32),
                "last_check_detail" varchar(1000),
                "wildcards_allowed" boolean NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_domains_name" ON "domains" ("name")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_domains_org" ON "domains" ("organisation_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "domain_delegations" (
                "domain_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "created_by" integer,
                PRIMARY KEY ("domain_id", "department_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_domain_delegations_department" ON "domain_delegations" ("department_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "invitations" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "email" varchar(254) NOT NULL,
                "role" varchar(32) NOT NULL,
                "scope_id" integer NOT NULL,
                "language" varchar(8) NOT NULL,
                "token_hash" varchar(64) NOT NULL,
                "invited_by" integer,
                "expires_at" datetime NOT NULL,
                "accepted_at" datetime,
                "accepted_by" integer,
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_invitations_token" ON "invitations" ("token_hash")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_invitations_scope" ON "invitations" ("role", "scope_id")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_organisations_nren_name"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_organisations" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "nren_id" integer NOT NULL,
                "name" varchar(200) NOT NULL,
                "street_address" varchar(200) NOT NULL,
                "locality" varchar(100) NOT NULL,
                "state_or_province" varchar(100) NOT NULL DEFAULT (''),
                "postal_code" varchar(20) NOT NULL DEFAULT (''),
                "country" varchar(2) NOT NULL,
                "registration_number" varchar(64) NOT NULL DEFAULT (''),
                "identity_validated_at" datetime,
                "identity_validated_by" integer,
                "certificate_contacts" text NOT NULL,
                "allowed_products" text NOT NULL,
                "ca_organisation_id" varchar(64),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL,
                CONSTRAINT "FK_e7070fa9477e861c9dd037ee052" FOREIGN KEY ("nren_id") REFERENCES "nrens" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_organisations"(
                    "id",
                    "nren_id",
                    "name",
                    "street_address",
                    "locality",
                    "state_or_province",
                    "postal_code",
                    "country",
                    "registration_number",
                    "identity_validated_at",
                    "identity_validated_by",
                    "certificate_contacts",
                    "allowed_products",
                    "ca_organisation_id",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "nren_id",
                "name",
                "street_address",
                "locality",
                "state_or_province",
                "postal_code",
                "country",
                "registration_number",
                "identity_validated_at",
                "identity_validated_by",
                "certificate_contacts",
                "allowed_products",
                "ca_organisation_id",
                "created_at",
                "updated_at",
                "version"
            FROM "organisations"
        `);
    await queryRunner.query(`
            DROP TABLE "organisations"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_organisations"
                RENAME TO "organisations"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_organisations_nren_name" ON "organisations" ("nren_id", "name")
        `);
    await queryRunner.query(`
            DROP INDEX "uq_departments_org_name"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_departments" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "name" varchar(200) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL,
                CONSTRAINT "FK_456ff387e276c0d6fc89be46664" FOREIGN KEY ("organisation_id") REFERENCES "organisations" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_departments"(
                    "id",
                    "organisation_id",
                    "name",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "organisation_id",
                "name",
                "created_at",
                "updated_at",
                "version"
            FROM "departments"
        `);
    await queryRunner.query(`
            DROP TABLE "departments"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_departments"
                RENAME TO "departments"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_departments_org_name" ON "departments" ("organisation_id", "name")
        `);
    await queryRunner.query(`
            DROP INDEX "uq_domains_name"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_domains_org"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_domains" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "name" varchar(253) NOT NULL,
                "state" varchar(16) NOT NULL DEFAULT ('pending'),
                "method" varchar(16),
                "validated_at" datetime,
                "validation_expires_at" datetime,
                "validated_by" integer,
                "validation_note" varchar(1000),
                "dcv_token" varchar(32) NOT NULL,
                "email_token_hash" varchar(64),
                "email_sent_to" varchar(254),
                "email_token_expires_at" datetime,
                "last_check_at" datetime,
                "last_check_method" varchar(16),
                "last_check_code" varchar(32),
                "last_check_detail" varchar(1000),
                "wildcards_allowed" boolean NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL,
                CONSTRAINT "FK_43c870bbbc23400d47d377c533a" FOREIGN KEY ("organisation_id") REFERENCES "organisations" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_domains"(
                    "id",
                    "organisation_id",
                    "name",
                    "state",
                    "method",
                    "validated_at",
                    "validation_expires_at",
                    "validated_by",
                    "validation_note",
                    "dcv_token",
                    "email_token_hash",
                    "email_sent_to",
                    "email_token_expires_at",
                    "last_check_at",
                    "last_check_method",
                    "last_check_code",
                    "last_check_detail",
                    "wildcards_allowed",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "organisation_id",
                "name",
                "state",
                "method",
                "validated_at",
                "validation_expires_at",
                "validated_by",
                "validation_note",
                "dcv_token",
                "email_token_hash",
                "email_sent_to",
                "email_token_expires_at",
                "last_check_at",
                "last_check_method",
                "last_check_code",
                "last_check_detail",
                "wildcards_allowed",
                "created_at",
                "updated_at",
                "version"
            FROM "domains"
        `);
    await queryRunner.query(`
            DROP TABLE "domains"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_domains"
                RENAME TO "domains"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_domains_name" ON "domains" ("name")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_domains_org" ON "domains" ("organisation_id")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_domain_delegations_department"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_domain_delegations" (
                "domain_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "created_by" integer,
                CONSTRAINT "FK_aff7384308b6d6f7a6ec9f972c3" FOREIGN KEY ("domain_id") REFERENCES "domains" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
                CONSTRAINT "FK_d32a81728fcf7a1c75e5cf76a12" FOREIGN KEY ("department_id") REFERENCES "departments" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
                PRIMARY KEY ("domain_id", "department_id")
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_domain_delegations"("domain_id", "department_id", "created_by")
            SELECT "domain_id",
                "department_id",
                "created_by"
            FROM "domain_delegations"
        `);
    await queryRunner.query(`
            DROP TABLE "domain_delegations"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_domain_delegations"
                RENAME TO "domain_delegations"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_domain_delegations_department" ON "domain_delegations" ("department_id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_domain_delegations_department"
        `);
    await queryRunner.query(`
            ALTER TABLE "domain_delegations"
                RENAME TO "temporary_domain_delegations"
        `);
    await queryRunner.query(`
            CREATE TABLE "domain_delegations" (
                "domain_id" integer NOT NULL,
                "department_id" integer NOT NULL,
                "created_by" integer,
                PRIMARY KEY ("domain_id", "department_id")
            )
        `);
    await queryRunner.query(`
            INSERT INTO "domain_delegations"("domain_id", "department_id", "created_by")
            SELECT "domain_id",
                "department_id",
                "created_by"
            FROM "temporary_domain_delegations"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_domain_delegations"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_domain_delegations_department" ON "domain_delegations" ("department_id")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_domains_org"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_domains_name"
        `);
    await queryRunner.query(`
            ALTER TABLE "domains"
                RENAME TO "temporary_domains"
        `);
    await queryRunner.query(`
            CREATE TABLE "domains" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "name" varchar(253) NOT NULL,
                "state" varchar(16) NOT NULL DEFAULT ('pending'),
                "method" varchar(16),
                "validated_at" datetime,
                "validation_expires_at" datetime,
                "validated_by" integer,
                "validation_note" varchar(1000),
                "dcv_token" varchar(32) NOT NULL,
                "email_token_hash" varchar(64),
                "email_sent_to" varchar(254),
                "email_token_expires_at" datetime,
                "last_check_at" datetime,
                "last_check_method" varchar(16),
                "last_check_code" varchar(32),
                "last_check_detail" varchar(1000),
                "wildcards_allowed" boolean NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            INSERT INTO "domains"(
                    "id",
                    "organisation_id",
                    "name",
                    "state",
                    "method",
                    "validated_at",
                    "validation_expires_at",
                    "validated_by",
                    "validation_note",
                    "dcv_token",
                    "email_token_hash",
                    "email_sent_to",
                    "email_token_expires_at",
                    "last_check_at",
                    "last_check_method",
                    "last_check_code",
                    "last_check_detail",
                    "wildcards_allowed",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "organisation_id",
                "name",
                "state",
                "method",
                "validated_at",
                "validation_expires_at",
                "validated_by",
                "validation_note",
                "dcv_token",
                "email_token_hash",
                "email_sent_to",
                "email_token_expires_at",
                "last_check_at",
                "last_check_method",
                "last_check_code",
                "last_check_detail",
                "wildcards_allowed",
                "created_at",
                "updated_at",
                "version"
            FROM "temporary_domains"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_domains"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_domains_org" ON "domains" ("organisation_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_domains_name" ON "domains" ("name")
        `);
    await queryRunner.query(`
            DROP INDEX "uq_departments_org_name"
        `);
    await queryRunner.query(`
            ALTER TABLE "departments"
                RENAME TO "temporary_departments"
        `);
    await queryRunner.query(`
            CREATE TABLE "departments" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "organisation_id" integer NOT NULL,
                "name" varchar(200) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            INSERT INTO "departments"(
                    "id",
                    "organisation_id",
                    "name",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "organisation_id",
                "name",
                "created_at",
                "updated_at",
                "version"
            FROM "temporary_departments"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_departments"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_departments_org_name" ON "departments" ("organisation_id", "name")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_organisations_nren_name"
        `);
    await queryRunner.query(`
            ALTER TABLE "organisations"
                RENAME TO "temporary_organisations"
        `);
    await queryRunner.query(`
            CREATE TABLE "organisations" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "nren_id" integer NOT NULL,
                "name" varchar(200) NOT NULL,
                "street_address" varchar(200) NOT NULL,
                "locality" varchar(100) NOT NULL,
                "state_or_province" varchar(100) NOT NULL DEFAULT (''),
                "postal_code" varchar(20) NOT NULL DEFAULT (''),
                "country" varchar(2) NOT NULL,
                "registration_number" varchar(64) NOT NULL DEFAULT (''),
                "identity_validated_at" datetime,
                "identity_validated_by" integer,
                "certificate_contacts" text NOT NULL,
                "allowed_products" text NOT NULL,
                "ca_organisation_id" varchar(64),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            INSERT INTO "organisations"(
                    "id",
                    "nren_id",
                    "name",
                    "street_address",
                    "locality",
                    "state_or_province",
                    "postal_code",
                    "country",
                    "registration_number",
                    "identity_validated_at",
                    "identity_validated_by",
                    "certificate_contacts",
                    "allowed_products",
                    "ca_organisation_id",
                    "created_at",
                    "updated_at",
                    "version"
                )
            SELECT "id",
                "nren_id",
                "name",
                "street_address",
                "locality",
                "state_or_province",
                "postal_code",
                "country",
                "registration_number",
                "identity_validated_at",
                "identity_validated_by",
                "certificate_contacts",
                "allowed_products",
                "ca_organisation_id",
                "created_at",
                "updated_at",
                "version"
            FROM "temporary_organisations"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_organisations"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_organisations_nren_name" ON "organisations" ("nren_id", "name")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_invitations_scope"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_invitations_token"
        `);
    await queryRunner.query(`
            DROP TABLE "invitations"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_domain_delegations_department"
        `);
    await queryRunner.query(`
            DROP TABLE "domain_delegations"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_domains_org"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_domains_name"
        `);
    await queryRunner.query(`
            DROP TABLE "domains"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_departments_org_name"
        `);
    await queryRunner.query(`
            DROP TABLE "departments"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_organisations_nren_name"
        `);
    await queryRunner.query(`
            DROP TABLE "organisations"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_nrens_name"
        `);
    await queryRunner.query(`
            DROP TABLE "nrens"
        `);
  }
}
