# Reference Gi* z-scores from spdep::localG for the Go test (geo/risk/hotspot_test.go).
# usage: Rscript localG.R nb.csv x.csv out.csv
# nb.csv: "i,j" 1-based neighbour pairs WITHOUT self; x.csv: "i,x"; out.csv: "i,z,q_bh".
suppressMessages(library(spdep))
a <- commandArgs(trailingOnly = TRUE)
e <- read.csv(a[1])
d <- read.csv(a[2])
n <- nrow(d)
nb <- lapply(seq_len(n), function(i) { v <- sort(as.integer(e$j[e$i == i])); if (length(v) == 0) 0L else v })
class(nb) <- "nb"
attr(nb, "region.id") <- as.character(seq_len(n))
attr(nb, "type") <- "queen"
attr(nb, "sym") <- TRUE
nbs <- include.self(nb)
lw <- nb2listw(nbs, style = "B", zero.policy = TRUE)
z <- as.numeric(localG(d$x, lw, zero.policy = TRUE))
p <- 2 * pnorm(-abs(z))
q <- p.adjust(p, method = "BH")
write.csv(data.frame(i = seq_len(n), z = sprintf("%.15g", z), q_bh = sprintf("%.15g", q)), a[3], row.names = FALSE, quote = FALSE)
