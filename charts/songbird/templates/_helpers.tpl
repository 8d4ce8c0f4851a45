{{/* Chart name, at most 63 characters (a DNS label). */}}
{{- define "songbird.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: the release name, or release-chart when the release name does not contain the chart's. */}}
{{- define "songbird.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "songbird.selectorLabels" -}}
app.kubernetes.io/name: {{ include "songbird.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "songbird.labels" -}}
{{ include "songbird.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "songbird.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "songbird.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Leader election is on when asked for, and always with more than one replica. */}}
{{- define "songbird.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.leaderElection.replicaCount) 1) -}}true{{- end -}}
{{- end -}}

{{/* The Lease lives in the watched namespace in namespace-scoped mode (as --namespace sets), else the release's. */}}
{{- define "songbird.leaseNamespace" -}}
{{- default .Release.Namespace .Values.namespace -}}
{{- end -}}

{{/* The operator's flags, built from values. */}}
{{- define "songbird.args" -}}
- --port={{ .Values.port }}
- --log-level={{ .Values.logLevel }}
- --zap-encoding={{ .Values.zapEncoding }}
- --mesh-provider={{ .Values.meshProvider }}
- --metrics-server={{ .Values.metricsServer }}
- --selector-labels={{ .Values.selectorLabels }}
{{- with .Values.includeLabelPrefix }}
- --include-label-prefix={{ . }}
{{- end }}
- --ingress-annotations-prefix={{ .Values.ingressAnnotationsPrefix }}
- --enable-config-tracking={{ .Values.configTracking.enabled }}
- --no-cross-namespace-refs={{ .Values.noCrossNamespaceRefs }}
- --max-concurrent-analyses={{ .Values.maxConcurrentAnalyses }}
{{- if .Values.webView.enabled }}
- --web-port={{ .Values.webView.port }}
- --web-address={{ .Values.webView.address }}
{{- end }}
{{- with .Values.namespace }}
- --namespace={{ . }}
{{- end }}
{{- if include "songbird.leaderElection" . }}
- --enable-leader-election=true
- --leader-election-namespace={{ include "songbird.leaseNamespace" . }}
{{- end }}
{{- with .Values.clusterName }}
- --cluster-name={{ . }}
{{- end }}
{{- with .Values.eventWebhook }}
- --event-webhook={{ . }}
{{- end }}
{{- with .Values.aws.region }}
- --aws-region={{ . }}
{{- end }}
{{- with .Values.aws.endpoint }}
- --aws-endpoint-url={{ . }}
{{- end }}
- --verify-traffic-weights={{ .Values.aws.verifyTrafficWeights }}
- --slack-user={{ .Values.slack.user }}
{{- with .Values.slack.channel }}
- --slack-channel={{ . }}
{{- end }}
{{- with .Values.slack.url }}
- --slack-url={{ . }}
{{- end }}
{{- with .Values.slack.proxyUrl }}
- --slack-proxy-url={{ . }}
{{- end }}
{{- with .Values.msteams.url }}
- --msteams-url={{ . }}
{{- end }}
{{- with .Values.msteams.proxyUrl }}
- --msteams-proxy-url={{ . }}
{{- end }}
{{- end -}}
