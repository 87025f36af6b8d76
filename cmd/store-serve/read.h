/* read: POST /api/v1/read, Prometheus remote read (see read.c). */
#ifndef READ_H
#define READ_H

#include "net/httpd.h"
#include "server.h"

/* The handler; arg is the struct server. */
int	read_handler(struct httpd_req *req, struct httpd_resp *resp,
	    void *arg);

#endif
