# Reference values for src/stats/cox.ts (fitCox) and src/stats/linalg.ts, from survival::coxph with
# its default coxph.control(). Every case carries its input data. Run from the repository root:
#   Rscript test/reference/cox.R
source("test/reference/common.R")

rowmajor <- function(m) as.vector(t(as.matrix(m)))

# Fits coxph on explicit vectors; `robust = NULL` leaves R's default (robust when cluster is given
# or any weight is non-integer).
fit_case <- function(name, time, status, X, strata = NULL, offset = NULL, weights = NULL,
                     cluster = NULL, ties = "efron", robust = NULL, iter.max = 20, init = NULL) {
  X <- as.data.frame(X)
  d <- data.frame(time = time, status = status, X)
  rhs <- paste(names(X), collapse = " + ")
  if (!is.null(strata)) { d$s <- strata; rhs <- paste(rhs, "+ strata(s)") }
  if (!is.null(offset)) { d$o <- offset; rhs <- paste(rhs, "+ offset(o)") }
  args <- list(formula = as.formula(paste("Surv(time, status) ~", rhs)), data = d, ties = ties,
               control = coxph.control(iter.max = iter.max))
  if (!is.null(weights)) { d$w <- weights; args$data <- d; args$weights <- quote(w) }
  if (!is.null(cluster)) { d$cl <- cluster; args$data <- d; args$cluster <- quote(cl) }
  if (!is.null(robust)) args$robust <- robust
  if (!is.null(init)) args$init <- init
  warns <- character(0)
  fit <- withCallingHandlers(do.call(coxph, args), warning = function(w) {
    warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
  })
  s <- summary(fit)
  # Out of iterations: R's var is then diag(1 / information) (chinv2 on an unfactored matrix), so
  # also record the variance at the returned coefficients, as coxph(init = coef, iter.max = 0).
  var_at_coef <- NULL
  if (fit$iter > iter.max) {
    a0 <- args; a0$init <- unname(coef(fit)); a0$control <- coxph.control(iter.max = 0)
    var_at_coef <- rowmajor(suppressWarnings(do.call(coxph, a0))$var)
  }
  robust_used <- !is.null(fit$naive.var)
  cf <- s$coefficients
  df <- sum(!is.na(coef(fit)))
  lr <- 2 * diff(fit$loglik)
  list(
    name = name,
    data = list(time = time, status = status, x = unname(as.list(X)), names = names(X),
                strata = strata, offset = offset, weights = weights, cluster = cluster),
    options = list(ties = ties, robust = robust, maxIter = iter.max, init = init),
    expected = list(
      call = paste(deparse(fit$call), collapse = " "),
      coef = unname(coef(fit)),
      var = rowmajor(fit$var),
      naiveVar = rowmajor(if (robust_used) fit$naive.var else fit$var),
      variance = if (robust_used) "robust" else "model",
      se = unname(if (robust_used) cf[, "robust se"] else cf[, "se(coef)"]),
      naiveSe = unname(cf[, "se(coef)"]),
      z = unname(cf[, "z"]),
      p = unname(cf[, "Pr(>|z|)"]),
      hr = unname(s$conf.int[, "exp(coef)"]),
      lower = unname(s$conf.int[, "lower .95"]),
      upper = unname(s$conf.int[, "upper .95"]),
      loglik = fit$loglik,
      iterations = fit$iter,
      # summary() rounds the test statistics; take them unrounded from the fit.
      score = c(fit$score, df, pchisq(fit$score, df, lower.tail = FALSE)),
      wald = c(fit$wald.test, df, pchisq(fit$wald.test, df, lower.tail = FALSE)),
      likelihoodRatio = c(lr, df, pchisq(lr, df, lower.tail = FALSE)),
      robustScore = if (robust_used) c(fit$rscore, df, pchisq(fit$rscore, df, lower.tail = FALSE)) else NULL,
      n = fit$n, events = fit$nevent,
      varAtCoef = var_at_coef,
      linearPredictor = unname(fit$linear.predictors),
      warnings = warns
    )
  )
}

fits <- list()
add <- function(x) fits[[length(fits) + 1]] <<- x

# --- survival's datasets ---
lu <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog", "wt.loss")])
lu$status <- lu$status - 1
add(fit_case("lung efron", lu$time, lu$status, lu[, c("age", "sex", "ph.ecog")]))
add(fit_case("lung breslow", lu$time, lu$status, lu[, c("age", "sex", "ph.ecog")], ties = "breslow"))
add(fit_case("lung 4 covariates", lu$time, lu$status, lu[, c("age", "sex", "ph.ecog", "wt.loss")]))
add(fit_case("lung init", lu$time, lu$status, lu[, c("age", "sex", "ph.ecog")], init = c(0.01, -0.3, 0.4)))
add(fit_case("lung robust = TRUE", lu$time, lu$status, lu[, c("age", "sex")], robust = TRUE))
add(fit_case("lung not converged (iter.max = 2)", lu$time, lu$status, lu[, c("age", "sex", "ph.ecog")],
             iter.max = 2))

ve <- veteran
add(fit_case("veteran strata(celltype)", ve$time, ve$status, ve[, c("trt", "karno", "diagtime", "age")],
             strata = as.integer(ve$celltype)))
add(fit_case("veteran breslow", ve$time, ve$status, ve[, c("trt", "karno", "age")], ties = "breslow"))

ov <- ovarian
add(fit_case("ovarian", ov$futime, ov$fustat, ov[, c("age", "rx", "ecog.ps")]))
add(fit_case("ovarian breslow", ov$futime, ov$fustat, ov[, c("age", "rx")], ties = "breslow"))

co <- na.omit(colon[, c("id", "time", "status", "rx", "sex", "age", "nodes", "etype")])
co$rxLev <- as.integer(co$rx == "Lev")
co$rxLev5FU <- as.integer(co$rx == "Lev+5FU")
add(fit_case("colon strata(etype) cluster(id)", co$time, co$status,
             co[, c("rxLev", "rxLev5FU", "sex", "age", "nodes")],
             strata = co$etype, cluster = co$id))
cd <- co[co$etype == 2, ]
add(fit_case("colon deaths", cd$time, cd$status, cd[, c("rxLev", "rxLev5FU", "age", "nodes")]))

# --- generated data ---
set.seed(20261123)
n <- 240
g <- data.frame(x1 = rnorm(n), x2 = rbinom(n, 1, 0.4), x3 = runif(n, 20, 80))
lam <- exp(0.5 * g$x1 - 0.7 * g$x2 + 0.02 * g$x3)
tt <- rexp(n, lam / 20); cc <- rexp(n, 1 / 40)
gt <- pmax(1, ceiling(pmin(tt, cc) / 4))  # integer times: many ties
gs <- as.integer(tt <= cc)
add(fit_case("generated ties efron", gt, gs, g))
add(fit_case("generated ties breslow", gt, gs, g, ties = "breslow"))
hs <- as.integer(tt <= cc & runif(n) < 0.15)  # heavy censoring (~10% events)
add(fit_case("generated heavy censoring", gt, hs, g))
wi <- sample(1:3, n, replace = TRUE)
add(fit_case("generated integer weights", gt, gs, g, weights = wi))
wn <- runif(n, 0.3, 2.5)
add(fit_case("generated non-integer weights (robust by default)", gt, gs, g, weights = wn))
add(fit_case("generated non-integer weights robust = FALSE", gt, gs, g, weights = wn, robust = FALSE))
add(fit_case("generated non-integer weights breslow", gt, gs, g, weights = wn, ties = "breslow"))
st <- sample(1:3, n, replace = TRUE)
add(fit_case("generated strata", gt, gs, g, strata = st))
off <- rnorm(n, 0, 0.3)
add(fit_case("generated offset", gt, gs, g, offset = off))
cl <- sample(1:50, n, replace = TRUE)
add(fit_case("generated clusters", gt, gs, g, cluster = cl))
add(fit_case("generated clusters + weights + strata + offset breslow", gt, gs, g, cluster = cl,
             weights = wn, strata = st, offset = off, ties = "breslow"))
add(fit_case("generated clusters + weights + strata + offset efron", gt, gs, g, cluster = cl,
             weights = wn, strata = st, offset = off))
add(fit_case("generated continuous times", round(pmin(tt, cc), 6), gs, g))

# small n (< 10)
add(fit_case("small n = 8", c(5, 8, 12, 3, 9, 15, 7, 8), c(1, 1, 0, 1, 1, 0, 1, 1),
             data.frame(trt = c(0, 1, 1, 0, 0, 1, 0, 1))))
add(fit_case("small n = 9 two covariates ties", c(2, 2, 3, 3, 3, 5, 6, 6, 9), c(1, 1, 1, 0, 1, 1, 0, 1, 1),
             data.frame(a = c(0.5, -1, 2, 0.3, 1.1, -0.4, 0.9, 1.5, -2), b = c(1, 0, 0, 1, 1, 0, 1, 0, 0))))

# monotone likelihood: no events in group x = 0
set.seed(7)
mt <- rexp(40, 0.1); mx <- rep(0:1, 20); ms <- ifelse(mx == 1, 1L, 0L); mz <- rnorm(40)
add(fit_case("monotone likelihood", mt, ms, data.frame(z = mz, grp = mx)))

# --- linalg: base R's solve() on random SPD matrices ---
set.seed(20261124)
linalg <- lapply(c(1, 2, 3, 5, 8), function(p) {
  z <- matrix(rnorm(p * (p + 4)), ncol = p)
  a <- crossprod(z)
  b <- rnorm(p)
  list(p = p, a = rowmajor(a), b = b, solve = as.vector(solve(a, b)), inverse = rowmajor(solve(a)),
       matVec = as.vector(a %*% b), quadForm = as.numeric(t(b) %*% a %*% b))
})

write_fixture("cox", list(fits = fits, linalg = linalg))
