# Reference values for the Cox model with covariate effects by arm (src/analysis/stacked.ts
# byArmDesign, the cox-adjusted analysis with covariateEffects: by-arm): covariates centred at
# the treated arm's means, with their interactions with treatment, fitted by coxph; the treatment
# coefficient is the log HR at the treated arm's mean profile.
# Run from the repository root: Rscript test/reference/cox-by-arm.R
source("test/reference/common.R")

by_arm_case <- function(name, d, ties) {
  X <- model.matrix(~ karno + age + celltype, d)[, -1, drop = FALSE]
  tr <- d$treated
  xc <- sweep(X, 2, colMeans(X[tr == 1, , drop = FALSE]))
  ix <- xc * tr
  colnames(ix) <- paste0("treated:", colnames(X))
  fit <- coxph(Surv(d$time, d$status) ~ tr + xc + ix, ties = ties)
  cf <- coef(fit)
  list(name = name, call = sprintf("coxph(Surv(time, status) ~ treated * I(x - colMeans(x[treated == 1, ])), ties = '%s')", ties),
       input = list(time = d$time, status = d$status, treated = tr, karno = d$karno, age = d$age,
                    celltype = as.character(d$celltype)),
       levels = levels(d$celltype),
       ties = ties,
       coef = unname(cf[1]), se = unname(sqrt(diag(vcov(fit)))[1]),
       aliased = names(cf)[is.na(cf)],
       loglik = fit$loglik[2])
}

vet <- survival::veteran
vet$treated <- vet$trt - 1
cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x
add(by_arm_case("veteran, efron", vet, "efron"))
add(by_arm_case("veteran, breslow", vet, "breslow"))
# no treated patient with large-cell histology: its interaction is all zero (R: NA, aliased)
sub <- vet[!(vet$treated == 1 & vet$celltype == "large"), ]
add(by_arm_case("veteran, a level absent from the treated arm", sub, "efron"))

# treated patients of two histologies only: large-cell's interaction is zero, and adeno's is
# minus small-cell's within the treated arm (the two indicators sum to 1 there): both aliased
sub2 <- vet[!(vet$treated == 1 & vet$celltype %in% c("squamous", "large")), ]
add(by_arm_case("veteran, two levels covering the treated arm", sub2, "efron"))

# no control patient with large-cell histology: its interaction equals its covariate up to the
# treatment indicator and the baseline (aliased)
sub3 <- vet[!(vet$treated == 0 & vet$celltype == "large"), ]
add(by_arm_case("veteran, a level absent from the control arm", sub3, "efron"))

write_fixture("cox-by-arm", cases)
