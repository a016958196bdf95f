# Reference values for the normal quantile of src/stats/distributions.ts: R's qnorm (Wichura's
# AS 241), from the centre of the distribution to p = 1e-300.
# The quantiles are written as strings with 17 significant digits (sprintf("%.17g")), so each
# double round-trips exactly; write_fixture's numbers keep only 15 to 16.
# Run from the repository root: Rscript test/reference/qnorm.R
source("test/reference/common.R")

p <- c(1e-300, 1e-200, 1e-100, 1e-50, 1e-30, 1e-20, 1e-16, 1e-14, 1e-12, 1e-11, 1e-10, 1e-9,
       3e-9, 1e-8, 3e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.025, 0.05, 0.07, 0.075, 0.1, 0.2,
       0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.925, 0.93, 0.95, 0.975, 0.99, 0.999, 0.9999)

write_fixture("qnorm", list(
  list(
    name = "lower tail",
    call = "qnorm(p)",
    p = p,
    expected = sprintf("%.17g", qnorm(p))
  )
))
