import { Module } from '@nestjs/common';
import { ProductsApiController, ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';

@Module({
  controllers: [ProductsController, ProductsApiController],
  providers: [ProductsService],
  exports: [ProductsService],
})
export class ProductsModule {}
