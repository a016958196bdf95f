# Reference values for rmstInfluence (src/stats/rmst.ts): each observation's influence on the
# RMST of a Kaplan–Meier fit to tau, R survival's resid(survfit(...), times = tau,
# type = "sojourn"), and the cluster-robust variance of an RMST difference when each treated
# patient and its twin form a cluster (sum over clusters of the summed influences, squared).
# Run from the repository root: Rscript test/reference/rmst-influence.R
source("test/reference/common.R")

influence_case <- function(name, time, status, tau) {
  # resid() re-evaluates the call's data, so the frame must be visible globally
  assign(".rmst_data", data.frame(tt = time, ss = status), envir = globalenv())
  fit <- survfit(Surv(tt, ss) ~ 1, data = .rmst_data)
  r <- as.vector(resid(fit, times = tau, type = "sojourn"))
  tab <- summary(fit, rmean = tau)$table
  list(name = name, call = sprintf("resid(survfit(Surv(time, status) ~ 1), times = %s, type = \"sojourn\")", tau),
       input = list(time = time, status = status, tau = tau),
       influence = r, sum_squares = sum(r^2),
       se_rmean = unname(tab["se(rmean)"]))
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x
add(influence_case("small, ties, tau between times", c(1, 2, 2, 3, 4, 5, 6, 6, 7, 8),
                   c(1, 1, 0, 1, 0, 1, 1, 1, 0, 1), 5.5))
add(influence_case("small, tau at an event time", c(1, 2, 2, 3, 4, 5, 6, 6, 7, 8),
                   c(1, 1, 0, 1, 0, 1, 1, 1, 0, 1), 6))
add(influence_case("last time an event (S reaches 0)", c(2, 4, 6, 8, 3, 5, 9, 10),
                   c(1, 1, 0, 1, 1, 0, 1, 1), 10))
lung2 <- survival::lung
add(influence_case("lung, tau 365", lung2$time, lung2$status - 1, 365))
add(influence_case("veteran, tau 200", survival::veteran$time, survival::veteran$status, 200))

# Twin pairs: treated patient i and its twin i share covariates; cluster = i.
set.seed(7)
n <- 60
x <- rnorm(n)
t1 <- round(rexp(n, 0.08 * exp(0.7 * x)), 1) + 0.1
t0 <- round(rexp(n, 0.08 * exp(0.7 * x)), 1) + 0.1
c1 <- round(runif(n, 4, 24), 1); c0 <- round(runif(n, 4, 24), 1)
time1 <- pmin(t1, c1); status1 <- as.integer(t1 <= c1)
time0 <- pmin(t0, c0); status0 <- as.integer(t0 <= c0)
tau <- 12
d1 <- influence_case("twins: treated arm", time1, status1, tau)
d0 <- influence_case("twins: control arm", time0, status0, tau)
add(d1); add(d0)
paired <- sum((d1$influence - d0$influence)^2)
add(list(name = "twins: paired variance of the difference", call = "sum((D1 - D0)^2) over pairs",
         input = list(time1 = time1, status1 = status1, time0 = time0, status0 = status0, tau = tau),
         paired_variance = paired,
         unpaired_variance = d1$sum_squares + d0$sum_squares))

write_fixture("rmst-influence", cases)
