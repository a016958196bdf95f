# Reference values for src/stats/cox-zph.ts (coxZph), from survival::cox.zph (survival >= 3.0) on
# coxph fits with default coxph.control(). Every case carries its input data. Run from the
# repository root:  Rscript test/reference/cox-zph.R
source("test/reference/common.R")

zph_case <- function(name, time, status, X, strata = NULL, offset = NULL, weights = NULL,
                     cluster = NULL, ties = "efron", transforms = c("km", "rank", "log", "identity")) {
  X <- as.data.frame(X)
  d <- data.frame(time = time, status = status, X)
  rhs <- paste(names(X), collapse = " + ")
  if (!is.null(strata)) { d$s <- strata; rhs <- paste(rhs, "+ strata(s)") }
  if (!is.null(offset)) { d$o <- offset; rhs <- paste(rhs, "+ offset(o)") }
  args <- list(formula = as.formula(paste("Surv(time, status) ~", rhs)), data = d, ties = ties)
  if (!is.null(weights)) { d$w <- weights; args$data <- d; args$weights <- quote(w) }
  if (!is.null(cluster)) { d$cl <- cluster; args$data <- d; args$cluster <- quote(cl) }
  fit <- do.call(coxph, args)
  results <- lapply(transforms, function(tr) {
    z <- cox.zph(fit, transform = tr)
    list(transform = tr, terms = rownames(z$table), statistic = unname(z$table[, "chisq"]),
         df = unname(z$table[, "df"]), p = unname(z$table[, "p"]))
  })
  list(
    name = name,
    data = list(time = time, status = status, x = unname(as.list(X)), names = names(X),
                strata = strata, offset = offset, weights = weights, cluster = cluster),
    ties = ties,
    coef = unname(coef(fit)),
    results = results
  )
}

cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

lu <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
lu$status <- lu$status - 1
add(zph_case("lung efron", lu$time, lu$status, lu[, c("age", "sex", "ph.ecog")]))
add(zph_case("lung breslow", lu$time, lu$status, lu[, c("age", "sex", "ph.ecog")], ties = "breslow"))
ve <- veteran
add(zph_case("veteran strata(celltype)", ve$time, ve$status, ve[, c("trt", "karno", "age")],
             strata = as.integer(ve$celltype)))
add(zph_case("veteran", ve$time, ve$status, ve[, c("trt", "karno", "diagtime", "age")]))
add(zph_case("ovarian", ovarian$futime, ovarian$fustat, ovarian[, c("age", "rx")]))
co <- na.omit(colon[colon$etype == 2, c("id", "time", "status", "rx", "age", "nodes")])
co$rxLev5FU <- as.integer(co$rx == "Lev+5FU")
add(zph_case("colon deaths", co$time, co$status, co[, c("rxLev5FU", "age", "nodes")]))

set.seed(20261125)
n <- 200
g <- data.frame(x1 = rnorm(n), x2 = rbinom(n, 1, 0.5))
tt <- rexp(n, exp(0.5 * g$x1 - 0.5 * g$x2) / 10); cc <- rexp(n, 1 / 15)
gt <- pmax(1, ceiling(pmin(tt, cc) / 2)); gs <- as.integer(tt <= cc)
wn <- runif(n, 0.3, 2.5); st <- sample(1:2, n, replace = TRUE); off <- rnorm(n, 0, 0.3)
cl <- sample(1:40, n, replace = TRUE)
add(zph_case("generated ties", gt, gs, g))
add(zph_case("generated ties breslow", gt, gs, g, ties = "breslow"))
add(zph_case("generated weights strata offset clusters", gt, gs, g, weights = wn, strata = st,
             offset = off, cluster = cl))
add(zph_case("small n = 9", c(2, 2, 3, 3, 3, 5, 6, 6, 9), c(1, 1, 1, 0, 1, 1, 0, 1, 1),
             data.frame(a = c(0.5, -1, 2, 0.3, 1.1, -0.4, 0.9, 1.5, -2))))

write_fixture("cox-zph", cases)
