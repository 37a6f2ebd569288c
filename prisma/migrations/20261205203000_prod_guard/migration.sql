-- AlterTable
ALTER TABLE "RunResource" ADD COLUMN     "origin" TEXT NOT NULL DEFAULT 'created';

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "prodEnvironments" TEXT[] DEFAULT ARRAY[]::TEXT[];
