-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "sourceClusterIds" TEXT[],
ADD COLUMN     "targetAccountId" UUID,
ADD COLUMN     "targetEnvironment" TEXT;

