# Makes examples/nsclc/treated.csv: the flagship example's single-arm trial, made here.
#
# 120 previously treated patients with advanced NSCLC receiving an (invented) experimental therapy.
# Baseline covariates are drawn from the same network as examples/nsclc/model.json (restricted to
# the protocol's eligibility: ECOG 0-1, no untreated brain metastases), and overall survival from
# the model's Weibull proportional-hazards outcome with a true treatment hazard ratio of 0.70.
# Entry is uniform over 18 months of accrual; the data cut is 36 months after the first entry;
# dropout is exponential at 0.01 per month. Times are in months, ADaM ADTTE style (AVAL, CNSR = 1
# when censored). Run from the repository root: Rscript examples/nsclc/make-treated.R
set.seed(20261123)
n_target <- 120
true_hr <- 0.70

draw <- function(n) {
  sex <- ifelse(runif(n) < 0.38, "female", "male")
  p_sq <- ifelse(sex == "female", 0.18, 0.32)
  histology <- ifelse(runif(n) < p_sq, "squamous", "non-squamous")
  u <- runif(n)
  smoking <- ifelse(sex == "female",
    ifelse(u < 0.25, "never", ifelse(u < 0.75, "former", "current")),
    ifelse(u < 0.08, "never", ifelse(u < 0.65, "former", "current")))
  age <- numeric(n)
  for (i in seq_len(n)) {
    repeat {
      a <- rnorm(1, 64.5 + 1.0 * (sex[i] == "male"), 9.0)
      if (a >= 18 && a <= 90) break
    }
    age[i] <- round(a)
  }
  u <- runif(n)
  p0 <- c(never = 0.36, former = 0.32, current = 0.30)[smoking]
  p1 <- c(never = 0.56, former = 0.58, current = 0.58)[smoking]
  ecog <- ifelse(u < p0, "0", ifelse(u < p0 + p1, "1", "2"))
  lp_bm <- -1.6 - 0.02 * (age - 65) - 0.4 * (histology == "squamous")
  brain_mets <- ifelse(runif(n) < plogis(lp_bm), "yes", "no")
  data.frame(sex, histology, smoking, age, ecog, brain_mets, stringsAsFactors = FALSE)
}

pool <- draw(400)
pool <- pool[pool$ecog %in% c("0", "1") & pool$brain_mets == "no", ]
d <- pool[seq_len(n_target), ]

lp <- 0.012 * (d$age - 65) + 0.10 * (d$sex == "male") + 0.30 * (d$histology == "squamous") +
  0.35 * (d$ecog == "1") + 0.95 * (d$ecog == "2") + 0.35 * (d$brain_mets == "yes") +
  0.10 * (d$smoking == "current") + log(true_hr)
shape <- 1.15
scale <- 14.4
event_time <- scale * (-log(runif(n_target)) / exp(lp))^(1 / shape)
entry <- runif(n_target, 0, 18)
admin <- 36 - entry
dropout <- rexp(n_target, 0.01)
time <- pmin(event_time, admin, dropout)
cnsr <- as.integer(event_time > pmin(admin, dropout))

out <- data.frame(
  USUBJID = sprintf("XTR-301-%03d", seq_len(n_target)),
  AGE = d$age, SEX = d$sex, HISTOL = d$histology, SMOKING = d$smoking, ECOG = d$ecog,
  BRAINMET = d$brain_mets, AVAL = round(time, 2), CNSR = cnsr
)
write.csv(out, "examples/nsclc/treated.csv", row.names = FALSE, quote = FALSE)
cat("wrote examples/nsclc/treated.csv:", nrow(out), "patients,", sum(out$CNSR == 0), "events\n")
