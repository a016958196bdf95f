# Reference values for `ecasim fit` (src/model/fit.ts, estimators.ts): lm, glm(binomial),
# glm(poisson), survreg (Weibull, exponential), a piecewise-exponential Poisson glm on survSplit
# data, and prop.table — on one simulated registry (set.seed below), written into the fixture.
# Numeric covariates are centred at their mean, as the model format's `centers`.
source("test/reference/common.R")
set.seed(20261123)
n <- 300
x <- round(rnorm(n, 60, 10), 1)
g <- factor(sample(c("a", "b", "c"), n, replace = TRUE, prob = c(0.5, 0.3, 0.2)), levels = c("a", "b", "c"))
h <- factor(ifelse(g == "a", sample(c("u", "v", "w"), n, TRUE, c(0.6, 0.3, 0.1)),
                   sample(c("u", "v", "w"), n, TRUE, c(0.2, 0.3, 0.5))), levels = c("u", "v", "w"))
xc <- x - mean(x)
y <- round(5 + 0.1 * xc + 0.8 * (g == "b") - 0.5 * (g == "c") + rnorm(n, 0, 1.5), 3)
b <- rbinom(n, 1, plogis(-0.3 + 0.04 * xc + 0.7 * (g == "c")))
k <- rpois(n, exp(0.5 + 0.02 * xc + 0.4 * (g == "b")))
tt <- rweibull(n, shape = 1.3, scale = 12 * exp(-(0.02 * xc + 0.5 * (g == "c")) / 1.3))
cens <- runif(n, 5, 30)
t <- round(pmin(tt, cens), 3)
e <- as.integer(tt <= cens)
d <- data.frame(x, g, h, y, b, k, t, e, xc)

coefs <- function(fit) list(names = names(coef(fit)), estimate = unname(coef(fit)),
                            se = unname(sqrt(diag(vcov(fit)))))

ols <- lm(y ~ xc + g, d)
logi <- glm(b ~ xc + g, binomial, d, control = glm.control(epsilon = 1e-12, maxit = 100))
pois <- glm(k ~ xc + g, poisson, d, control = glm.control(epsilon = 1e-12, maxit = 100))

wb <- survreg(Surv(t, e) ~ xc + g, d, dist = "weibull", control = survreg.control(rel.tolerance = 1e-12, maxiter = 100))
sigma <- wb$scale
gam <- coef(wb)
# (log shape, log scale, beta) = (-log sigma, mu, -gamma/sigma); delta method on vcov (mu, gamma, log sigma)
p <- length(gam)
J <- matrix(0, p + 1, p + 1)
J[1, p + 1] <- -1
J[2, 1] <- 1
for (j in 2:p) { J[j + 1, j] <- -1 / sigma; J[j + 1, p + 1] <- gam[j] / sigma }
wbcov <- J %*% vcov(wb) %*% t(J)

ex <- survreg(Surv(t, e) ~ xc + g, d, dist = "exponential", control = survreg.control(rel.tolerance = 1e-12, maxiter = 100))

breaks <- c(0, 6, 12)
sp <- survSplit(Surv(t, e) ~ xc + g, data = d, cut = breaks[-1], episode = "interval", start = "tstart")
sp$exposure <- sp$t - sp$tstart
pw <- glm(e ~ 0 + factor(interval) + xc + g + offset(log(exposure)), poisson, sp,
          control = glm.control(epsilon = 1e-12, maxit = 100))
pwll <- sum(sp$e * (coef(pw)[sp$interval] + as.matrix(sp[, c("xc")]) * coef(pw)["xc"] +
                    coef(pw)["gb"] * (sp$g == "b") + coef(pw)["gc"] * (sp$g == "c"))) -
        sum(fitted(pw))

tab <- table(d$g, d$h)

write_fixture("fit", list(
  data = list(x = x, g = as.character(g), h = as.character(h), y = y, b = b, k = k, t = t, e = e),
  center_x = mean(x),
  lm = c(coefs(ols), list(sigma = summary(ols)$sigma, logLik = as.numeric(logLik(ols)),
         call = "lm(y ~ xc + g)")),
  logistic = c(coefs(logi), list(logLik = as.numeric(logLik(logi)), call = "glm(b ~ xc + g, binomial)")),
  poisson = c(coefs(pois), list(logLik = as.numeric(logLik(pois)), call = "glm(k ~ xc + g, poisson)")),
  weibull = list(shape = 1 / sigma, scale = unname(exp(gam[1])), logHR = unname(-gam[-1] / sigma),
                 names = names(gam)[-1], covariance = unname(wbcov), loglik = wb$loglik[2],
                 call = "survreg(Surv(t, e) ~ xc + g, dist = 'weibull')"),
  exponential = list(rate = unname(exp(-coef(ex)[1])), logHR = unname(-coef(ex)[-1]),
                     se = unname(sqrt(diag(vcov(ex)))), loglik = ex$loglik[2],
                     call = "survreg(Surv(t, e) ~ xc + g, dist = 'exponential')"),
  piecewise = list(breaks = breaks, rates = unname(exp(coef(pw)[1:3])), logHR = unname(coef(pw)[-(1:3)]),
                   se = unname(sqrt(diag(vcov(pw)))), loglik = pwll,
                   call = "glm(e ~ 0 + factor(interval) + xc + g + offset(log(exposure)), poisson, survSplit(...))"),
  table = list(rows = rownames(tab), cols = colnames(tab), counts = unname(as.vector(t(tab))),
               p = unname(as.vector(t(prop.table(tab, 1)))), call = "prop.table(table(g, h), 1)")
))
