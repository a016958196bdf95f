# Makes examples/aml/treated.csv: the binary-endpoint example's single-arm trial, made here.
#
# 60 adults aged 60+ with newly diagnosed AML, unfit for intensive chemotherapy, receiving an
# (invented) experimental combination. Covariates are drawn from the network of
# examples/aml/truth-model.json restricted to the protocol's eligibility (ECOG 0-2); composite
# complete remission from the model's logistic endpoint with a true treatment odds ratio of 3.0.
# Run from the repository root: Rscript examples/aml/make-treated.R
set.seed(20260531)
n <- 60
true_or <- 3.0
draw <- function(m) {
  age <- numeric(m)
  for (i in seq_len(m)) repeat { a <- rnorm(1, 75, 6); if (a >= 60 && a <= 92) { age[i] <- round(a); break } }
  ecog <- sample(c("0", "1", "2", "3"), m, replace = TRUE, prob = c(0.25, 0.45, 0.22, 0.08))
  origin <- ifelse(runif(m) < 0.32, "secondary", "de-novo")
  cyto <- ifelse(runif(m) < ifelse(origin == "secondary", 0.55, 0.35), "adverse", "intermediate")
  tp53 <- ifelse(runif(m) < plogis(-2.4 + 1.6 * (cyto == "adverse")), "mutated", "wild-type")
  data.frame(age, ecog, origin, cyto, tp53, stringsAsFactors = FALSE)
}
pool <- draw(200)
d <- pool[pool$ecog != "3", ][seq_len(n), ]
lp <- -0.6 - 0.03 * (d$age - 75) - 0.2 * (d$ecog == "1") - 0.5 * (d$ecog == "2") -
  0.4 * (d$origin == "secondary") - 0.7 * (d$cyto == "adverse") - 0.9 * (d$tp53 == "mutated") + log(true_or)
crfl <- as.integer(runif(n) < plogis(lp))
out <- data.frame(
  USUBJID = sprintf("AZA-302-%03d", seq_len(n)), AGE = d$age, ECOG = d$ecog, ORIGIN = d$origin,
  CYTO = d$cyto, TP53 = d$tp53, CRFL = crfl
)
write.csv(out, "examples/aml/treated.csv", row.names = FALSE, quote = FALSE)
cat("wrote examples/aml/treated.csv:", nrow(out), "patients,", sum(crfl), "responders\n")
