-- AlterTable
ALTER TABLE "User" ADD COLUMN     "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "displayName" TEXT;

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "parentTokenId" UUID;

-- CreateIndex
CREATE INDEX "ApiToken_parentTokenId_idx" ON "ApiToken"("parentTokenId");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_parentTokenId_fkey" FOREIGN KEY ("parentTokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

