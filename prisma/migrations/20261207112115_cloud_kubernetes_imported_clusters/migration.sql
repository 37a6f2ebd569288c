-- AlterEnum
ALTER TYPE "Cloud" ADD VALUE 'kubernetes';

