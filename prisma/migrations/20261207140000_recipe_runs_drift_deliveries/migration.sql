-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "recipeId" UUID;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "driftReportId" UUID;

-- CreateIndex
CREATE INDEX "Run_recipeId_createdAt_idx" ON "Run"("recipeId", "createdAt");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_recipeId_fkey" FOREIGN KEY ("recipeId") REFERENCES "EnvironmentRecipe"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_driftReportId_fkey" FOREIGN KEY ("driftReportId") REFERENCES "DriftReport"("id") ON DELETE SET NULL ON UPDATE CASCADE;

