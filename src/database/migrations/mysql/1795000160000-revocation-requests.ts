import { MigrationInterface, QueryRunner } from 'typeorm';

export class RevocationRequests1795000160000 implements MigrationInterface {
  name = 'RevocationRequests1795000160000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE `revocation_requests` (`id` int NOT NULL AUTO_INCREMENT, `certificate_id` int NOT NULL, `open_certificate_id` int NULL, `nren_id` int NOT NULL, `organisation_id` int NOT NULL, `department_id` int NOT NULL, `requester_id` int NOT NULL, `requester_label` varchar(254) NOT NULL, `reason` varchar(32) NOT NULL, `explanation` varchar(2000) NOT NULL, `state` varchar(16) NOT NULL, `decided_by_id` int NULL, `decided_by_label` varchar(254) NULL, `decided_at` datetime NULL, `refusal_reason` varchar(2000) NULL, `created_at` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), `version` int NOT NULL, UNIQUE INDEX `uq_revocation_requests_open` (`open_certificate_id`), INDEX `ix_revocation_requests_certificate` (`certificate_id`, `id`), INDEX `ix_revocation_requests_state` (`state`, `id`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `revocation_requests`');
  }
}
