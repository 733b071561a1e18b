import { MigrationInterface, QueryRunner } from 'typeorm';

export class ApprovalDigests1795000091000 implements MigrationInterface {
  name = 'ApprovalDigests1795000091000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE `approval_digests` (`id` int NOT NULL AUTO_INCREMENT, `person_id` int NOT NULL, `slot` int NOT NULL, `newest_request_id` int NOT NULL, `sent_at` datetime NOT NULL, UNIQUE INDEX `uq_approval_digests_slot` (`person_id`, `slot`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE `approval_digests`');
  }
}
