-- AlterEnum
ALTER TYPE "RunKind" ADD VALUE 'environment';

-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "clonedFromId" UUID;

-- CreateTable
CREATE TABLE "EnvironmentRecipe" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "ownerId" UUID NOT NULL,
    "sourceClusterId" UUID NOT NULL,
    "targetClusterId" UUID,
    "targetAccountId" UUID,
    "recreateCluster" BOOLEAN NOT NULL DEFAULT false,
    "spec" JSONB NOT NULL DEFAULT '{}',
    "schedule" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "nextRunAt" TIMESTAMP(3),
    "lastRunId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EnvironmentRecipe_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DriftReport" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "sourceClusterId" UUID NOT NULL,
    "drifted" BOOLEAN NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "infra" JSONB NOT NULL,
    "workloads" JSONB,
    "requestedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DriftReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EnvironmentRecipe_enabled_nextRunAt_idx" ON "EnvironmentRecipe"("enabled", "nextRunAt");

-- CreateIndex
CREATE UNIQUE INDEX "EnvironmentRecipe_tenantId_name_key" ON "EnvironmentRecipe"("tenantId", "name");

-- CreateIndex
CREATE INDEX "DriftReport_tenantId_clusterId_createdAt_idx" ON "DriftReport"("tenantId", "clusterId", "createdAt");

-- AddForeignKey
ALTER TABLE "EnvironmentRecipe" ADD CONSTRAINT "EnvironmentRecipe_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DriftReport" ADD CONSTRAINT "DriftReport_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

