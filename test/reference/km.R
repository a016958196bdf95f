# Reference values for src/stats/km.ts: survfit(Surv(time, status) ~ 1), summary.survfit,
# quantile.survfit and print.survfit's median, on survival's datasets and seeded simulations.
# Run from the repository root: Rscript test/reference/km.R
source("test/reference/common.R")

probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)

km_case <- function(name, time, status, weights = NULL, conf.type = "log", conf.int = 0.95,
                    times = NULL) {
  d <- data.frame(time = time, status = status)
  if (is.null(weights)) {
    fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = conf.type, conf.int = conf.int)
  } else {
    d$w <- weights
    fit <- survfit(Surv(time, status) ~ 1, data = d, weights = w, conf.type = conf.type,
                   conf.int = conf.int)
  }
  if (is.null(times)) times <- sort(unique(c(0.5 * min(time), quantile(time, c(0.2, 0.5, 0.8),
                                                                        names = FALSE), max(time))))
  se_all <- summary(fit, times = fit$time)$std.err
  q <- quantile(fit, probs = probs)
  s <- summary(fit, times = times)
  sx <- summary(fit, times = c(times, max(time) + 1), extend = TRUE)
  tab <- summary(fit)$table
  ci <- !is.null(fit$lower)
  list(
    name = name,
    call = sprintf("survfit(Surv(time, status) ~ 1%s, conf.type = '%s', conf.int = %s)",
                   if (is.null(weights)) "" else ", weights = w", conf.type, conf.int),
    input = list(time = time, status = status, weights = weights),
    confType = conf.type, confLevel = conf.int,
    robust = isFALSE(fit$logse),
    fit = list(
      time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
      surv = fit$surv, cumhaz = fit$cumhaz,
      std_err = ifelse(is.infinite(fit$std.err), NA, fit$std.err),
      std_err_inf = which(is.infinite(fit$std.err)) - 1,
      se = se_all,
      lower = if (ci) fit$lower else NULL, upper = if (ci) fit$upper else NULL
    ),
    quantile = list(
      probs = probs,
      estimate = if (ci) unname(q$quantile) else unname(q),
      lower = if (ci) unname(q$lower) else NULL,
      upper = if (ci) unname(q$upper) else NULL
    ),
    print_median = list(
      estimate = unname(tab["median"]),
      lower = if (ci) unname(tab[paste0(conf.int, "LCL")]) else NULL,
      upper = if (ci) unname(tab[paste0(conf.int, "UCL")]) else NULL
    ),
    at = list(
      times = times,
      time = s$time, surv = s$surv, se = s$std.err,
      lower = if (ci) s$lower else NULL, upper = if (ci) s$upper else NULL,
      n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor
    ),
    risk = list(times = c(times, max(time) + 1), n_risk = sx$n.risk)
  )
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

# lung: ties, 28% censored; every confidence transformation
lung2 <- survival::lung
for (ct in c("log", "log-log", "plain", "logit", "arcsin", "none")) {
  add(km_case(paste0("lung ", ct), lung2$time, lung2$status - 1, conf.type = ct))
}
add(km_case("lung log 0.9", lung2$time, lung2$status - 1, conf.int = 0.9))

# small and classic datasets
add(km_case("aml", survival::aml$time, survival::aml$status))
add(km_case("ovarian", survival::ovarian$futime, survival::ovarian$fustat))
add(km_case("veteran", survival::veteran$time, survival::veteran$status))
add(km_case("veteran log-log", survival::veteran$time, survival::veteran$status, conf.type = "log-log"))

# small n (< 10) with ties, ending in an event (S reaches 0, Greenwood std.err = Inf)
add(km_case("small ties last event", c(3, 1, 4, 1, 5, 9, 2, 6), c(1, 1, 0, 1, 1, 1, 0, 1)))
for (ct in c("plain", "logit", "arcsin", "log-log")) {
  add(km_case(paste("small ties last event", ct), c(3, 1, 4, 1, 5, 9, 2, 6),
              c(1, 1, 0, 1, 1, 1, 0, 1), conf.type = ct))
}
# flat segment at exactly 0.5: median is the midpoint (2 + 3) / 2
add(km_case("flat at one half", c(1, 2, 3, 4), c(1, 1, 1, 1)))
add(km_case("censored between events", c(1, 2, 2.5, 3, 4, 5), c(1, 1, 0, 1, 1, 0)))
# flat at exactly 0.5 across a censoring: median (3 + 5) / 2
add(km_case("flat at one half across a censoring", c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 0, 1, 1)))
# never reaches 0.5
add(km_case("median not reached", c(2, 3, 5, 7, 8, 10, 11, 12, 15), c(1, 0, 0, 1, 0, 0, 0, 0, 0)))
# no events at all
add(km_case("no events", c(2, 3, 5, 7), c(0, 0, 0, 0)))

# simulated: heavy censoring (> 70%), rounded times with ties
set.seed(20261123)
n <- 400
tt <- round(rexp(n, 0.05), 1) + 0.1
cc <- round(rexp(n, 0.25), 1) + 0.1
add(km_case("heavy censoring", pmin(tt, cc), as.integer(tt <= cc)))

set.seed(11)
n <- 250
tt <- ceiling(rweibull(n, 1.3, 30))
cc <- ceiling(runif(n, 5, 60))
time <- pmin(tt, cc); status <- as.integer(tt <= cc)
# integer case weights: Greenwood with weighted counts
add(km_case("integer weights", time, status, weights = sample(1:4, n, replace = TRUE)))
# non-integer weights: R switches to the robust (infinitesimal jackknife) variance
w <- round(runif(n, 0.2, 3), 3)
add(km_case("non-integer weights", time, status, weights = w))
add(km_case("non-integer weights plain", time, status, weights = w, conf.type = "plain"))
add(km_case("non-integer weights small", c(3, 1, 4, 1, 5, 9, 2, 6), c(1, 1, 0, 1, 1, 1, 0, 1),
            weights = c(0.5, 1.5, 2, 0.7, 1.1, 0.9, 1.3, 2.2)))
add(km_case("lung weights", lung2$time, lung2$status - 1, weights = lung2$age / 60))

write_fixture("km", cases)
