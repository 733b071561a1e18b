import { MigrationInterface, QueryRunner } from 'typeorm';

export class Approvals1795000090000 implements MigrationInterface {
  name = 'Approvals1795000090000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE `request_approvals` (`id` int NOT NULL AUTO_INCREMENT, `request_id` int NOT NULL, `person_id` int NOT NULL, `person_label` varchar(254) NOT NULL, `on_behalf_of_id` int NULL, `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX `uq_request_approvals_person` (`request_id`, `person_id`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
    );
    await queryRunner.query(
      'CREATE TABLE `substitutions` (`id` int NOT NULL AUTO_INCREMENT, `absent_id` int NOT NULL, `substitute_id` int NOT NULL, `starts_at` datetime NOT NULL, `ends_at` datetime NOT NULL, `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX `ix_substitutions_absent` (`absent_id`, `ends_at`), INDEX `ix_substitutions_substitute` (`substitute_id`, `ends_at`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
    );
    await queryRunner.query(
      'ALTER TABLE `organisations` ADD `self_approval_allowed` tinyint NOT NULL DEFAULT 0',
    );
    await queryRunner.query(
      'ALTER TABLE `departments` ADD `auto_approve` tinyint NOT NULL DEFAULT 0',
    );
    await queryRunner.query(
      "ALTER TABLE `products` ADD `approvals_required` int NOT NULL DEFAULT '1'",
    );
    await queryRunner.query(
      'ALTER TABLE `certificate_requests` ADD `status_reason` varchar(2000) NULL',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE `certificate_requests` DROP COLUMN `status_reason`');
    await queryRunner.query('ALTER TABLE `products` DROP COLUMN `approvals_required`');
    await queryRunner.query('ALTER TABLE `departments` DROP COLUMN `auto_approve`');
    await queryRunner.query('ALTER TABLE `organisations` DROP COLUMN `self_approval_allowed`');
    await queryRunner.query('DROP TABLE `substitutions`');
    await queryRunner.query('DROP TABLE `request_approvals`');
  }
}
