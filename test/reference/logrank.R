# Reference values for src/stats/logrank.ts: survdiff(Surv(time, status) ~ group [+ strata(s)],
# rho = rho). Group codes are 0-based factor codes. Run from the repository root:
# Rscript test/reference/logrank.R
source("test/reference/common.R")

lr_case <- function(name, time, status, group, strata = NULL, rho = 0) {
  d <- data.frame(time = time, status = status, group = group)
  if (is.null(strata)) {
    f <- survdiff(Surv(time, status) ~ group, data = d, rho = rho)
    call <- sprintf("survdiff(Surv(time, status) ~ group, rho = %s)", rho)
  } else {
    d$s <- strata
    f <- survdiff(Surv(time, status) ~ group + strata(s), data = d, rho = rho)
    call <- sprintf("survdiff(Surv(time, status) ~ group + strata(s), rho = %s)", rho)
  }
  etmp <- if (is.matrix(f$exp)) rowSums(f$exp) else f$exp
  otmp <- if (is.matrix(f$obs)) rowSums(f$obs) else f$obs
  list(
    name = name, call = call,
    input = list(time = time, status = status, group = group, strata = strata), rho = rho,
    n = as.vector(f$n),
    observed = unname(otmp), expected = unname(etmp),
    observed_by_stratum = if (is.matrix(f$obs)) lapply(seq_len(ncol(f$obs)), function(j) f$obs[, j]) else NULL,
    expected_by_stratum = if (is.matrix(f$exp)) lapply(seq_len(ncol(f$exp)), function(j) f$exp[, j]) else NULL,
    variance = lapply(seq_len(nrow(f$var)), function(i) f$var[i, ]),
    statistic = f$chisq, df = sum(etmp > 0) - 1, p = f$pvalue
  )
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

lung2 <- survival::lung
for (rho in c(0, 0.5, 1)) {
  add(lr_case(paste("lung sex rho", rho), lung2$time, lung2$status - 1, lung2$sex - 1, rho = rho))
}
vet <- survival::veteran
add(lr_case("veteran trt", vet$time, vet$status, vet$trt - 1))
add(lr_case("veteran celltype (4 groups)", vet$time, vet$status, as.integer(vet$celltype) - 1))
add(lr_case("veteran celltype rho 1", vet$time, vet$status, as.integer(vet$celltype) - 1, rho = 1))
add(lr_case("veteran trt strata celltype", vet$time, vet$status, vet$trt - 1,
            strata = as.integer(vet$celltype) - 1))
add(lr_case("veteran trt strata celltype rho 1", vet$time, vet$status, vet$trt - 1,
            strata = as.integer(vet$celltype) - 1, rho = 1))
add(lr_case("veteran trt strata prior (codes 0, 10)", vet$time, vet$status, vet$trt - 1,
            strata = vet$prior))
add(lr_case("aml", survival::aml$time, survival::aml$status, as.integer(survival::aml$x) - 1))
add(lr_case("ovarian rx", survival::ovarian$futime, survival::ovarian$fustat,
            survival::ovarian$rx - 1))
add(lr_case("ovarian rx strata resid.ds", survival::ovarian$futime, survival::ovarian$fustat,
            survival::ovarian$rx - 1, strata = survival::ovarian$resid.ds - 1))
add(lr_case("small n", c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 1, 0, 1), c(0, 0, 0, 1, 1, 1)))

set.seed(7)
n <- 300
g <- sample(0:2, n, replace = TRUE)
tt <- ceiling(rexp(n, c(0.05, 0.07, 0.1)[g + 1]))
cc <- ceiling(runif(n, 1, 7))
add(lr_case("3 groups ties heavy censoring", pmin(tt, cc), as.integer(tt <= cc), g))
add(lr_case("3 groups ties heavy censoring rho 0.5", pmin(tt, cc), as.integer(tt <= cc), g, rho = 0.5))
st <- sample(0:3, n, replace = TRUE)
add(lr_case("3 groups strata", pmin(tt, cc), as.integer(tt <= cc), g, strata = st))

# a group whose subjects are all censored before the first event: expected 0, df drops to 1
add(lr_case("group never at risk at events",
            c(5, 6, 7, 8, 9, 10, 11, 12, 1, 2),
            c(1, 0, 1, 1, 0, 1, 1, 0, 0, 0),
            c(0, 0, 0, 0, 1, 1, 1, 1, 2, 2)))

write_fixture("logrank", cases)
