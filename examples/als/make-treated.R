# Makes examples/als/treated.csv: the rare-disease example's single-arm trial, made here.
#
# 30 patients with ALS receiving an (invented) experimental therapy. Covariates are drawn from the
# network of examples/als/truth-model.json; the time to death or permanent assisted ventilation
# from the model's Weibull proportional-hazards outcome with a true treatment hazard ratio of
# 0.60. Entry is uniform over 12 months of accrual; the data cut is 36 months after the first
# entry; dropout is exponential at 0.005 per month. FVC is deliberately not collected (the twins
# draw it from the model given the observed covariates). Run from the repository root:
#   Rscript examples/als/make-treated.R
set.seed(20260331)
n <- 30
true_hr <- 0.60
bounded <- function(draw, lo, hi) { repeat { x <- draw(); if (x >= lo && x <= hi) return(x) } }

sex <- ifelse(runif(n) < 0.4, "female", "male")
onset <- ifelse(runif(n) < ifelse(sex == "female", 0.38, 0.25), "bulbar", "limb")
bulbar <- as.numeric(onset == "bulbar")
age <- sapply(seq_len(n), function(i) round(bounded(function() rnorm(1, 61 + 4 * bulbar[i], 10), 18, 90)))
delay <- sapply(seq_len(n), function(i) bounded(function() exp(rnorm(1, 2.398 - 0.15 * bulbar[i], 0.55)), 1, 24))
alsfrs <- sapply(seq_len(n), function(i) round(bounded(function() rnorm(1, 39 - 1.5 * bulbar[i] + 0.15 * (delay[i] - 11), 5), 10, 48)))
fvc <- sapply(seq_len(n), function(i) round(bounded(function() rnorm(1, 85 - 6 * bulbar[i] - 0.3 * (age[i] - 61), 15), 30, 130)))

lp <- 0.03 * (age - 61) + 0.35 * bulbar - 0.04 * (delay - 11) - 0.06 * (alsfrs - 39) - 0.015 * (fvc - 85) + log(true_hr)
event_time <- 28 * (-log(runif(n)) / exp(lp))^(1 / 1.4)
entry <- runif(n, 0, 12)
censor_time <- pmin(36 - entry, rexp(n, 0.005))
time <- pmax(round(pmin(event_time, censor_time), 2), 0.01)
cnsr <- as.integer(event_time > censor_time)

out <- data.frame(
  SUBJID = sprintf("ALS-201-%02d", seq_len(n)), AGE = age, SEX = sex, ONSET = onset,
  DELAY = round(delay, 1), ALSFRS = alsfrs, AVAL = time, CNSR = cnsr
)
write.csv(out, "examples/als/treated.csv", row.names = FALSE, quote = FALSE)
cat("wrote examples/als/treated.csv:", nrow(out), "patients,", sum(out$CNSR == 0), "events\n")
